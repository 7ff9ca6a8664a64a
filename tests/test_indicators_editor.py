"""The observation recorder without a kernel: set the widgets' values, click, check the file and the redraw."""

from __future__ import annotations

from sat.indicators.editor import ObservationRecorder

INDICATORS = """\
targets: hypotheses
prior: uniform
indicators:
  - id: I1
    text: The owner's fuel receipt turns up
    ratings: {H1: U, H2: HL, H3: C}
  - id: I2
    text: Harbour log shows a night shift
    ratings: {H1: HL, H2: HU, H3: C}
"""


def test_recording_appends_the_row_and_redraws(tiny):
    (tiny / "indicators.yaml").write_text(INDICATORS)
    recorder = ObservationRecorder(tiny)
    figure_before = recorder.figure.value
    assert "prior" in recorder.table.value and "No observation of this indicator yet" in recorder.history.value
    recorder.indicator.value = "I2"
    recorder.date.value = "2022-02-01"
    recorder.status.value = "absent"
    recorder.credibility.value = "high"
    recorder.sources.value = "Harbour office log"
    recorder.note.value = "<b>no</b> night shift"
    recorder.record.click()
    assert "Recorded: I2 absent on 2022-02-01" in recorder.message.value
    assert (tiny / "observations.csv").read_text() == (
        "indicator,date,status,credibility,sources,note\n"
        "I2,2022-02-01,absent,high,Harbour office log,<b>no</b> night shift\n"
    )
    # absent I2 under a uniform prior: 1 - (.9, .1, .5) -> H1 .1 / 1.5 = 7%, H2 .9 / 1.5 = 60%
    assert "2022-02-01" in recorder.table.value and "60% likely" in recorder.table.value
    assert recorder.figure.value != figure_before and bytes(recorder.figure.value).startswith(b"\x89PNG")
    assert "&lt;b&gt;no&lt;/b&gt; night shift" in recorder.history.value  # the note is escaped
    assert recorder.note.value == "" and recorder.sources.value == ""


def test_invalid_input_shows_problems_and_writes_nothing(tiny):
    (tiny / "indicators.yaml").write_text(INDICATORS)
    recorder = ObservationRecorder(tiny)
    recorder.date.value = "1 Feb"
    recorder.record.click()
    assert "Not saved" in recorder.message.value and "must be a date written YYYY-MM-DD" in recorder.message.value
    assert not (tiny / "observations.csv").exists()
