"""A small test suite that the in-job telemetry tests run with pytest and pytest-otel, as a
CI job would run its own tests: its session and test spans must land under the job's span.
"""


def test_arithmetic():
    assert 2 + 2 == 4


def test_strings():
    assert "ci" + "otel" == "ciotel"


def test_lists():
    assert sorted([3, 1, 2]) == [1, 2, 3]
