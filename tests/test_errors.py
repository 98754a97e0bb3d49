import pytest

from errors import InputError, ProblemCollector


def test_collector_reports_every_problem_with_rows_and_field():
    c = ProblemCollector(source="areas.gpkg")
    c.add("population is negative: -5, -1", rows=["A3", "A7"], field="population")
    c.add("duplicate id", rows=["A1"], field="id")
    with pytest.raises(InputError) as info:
        c.raise_if_any()
    text = str(info.value)
    assert "2 problem(s) in areas.gpkg" in text
    assert "field 'population' rows A3, A7: population is negative: -5, -1" in text
    assert "field 'id' rows A1: duplicate id" in text
    assert len(info.value.problems) == 2


def test_collector_without_problems_does_not_raise():
    ProblemCollector(source="x").raise_if_any()
