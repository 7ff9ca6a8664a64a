"""Interactive editors (ipywidgets) that change cases through the data layer: the ACH matrix editor."""

from .app import AchEditor, ach_editor

__all__ = ["AchEditor", "ach_editor"]
