"""Policy profiles: the figures of each jurisdiction, inheritance, sources, malformed files."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from errors import ProfileError
from planning.profiles import (
    KINDS,
    PROFILE_DIR,
    REQUIRED_PARAMETERS,
    list_profiles,
    load_profile,
)

JURISDICTIONS = ("chuzhou", "xuanhan", "quzhou", "hefei", "suizhou")
CC = "childcare_places_per_1000"
EC = "eldercare_area_per_100_households"

# (profile, kind, service, area_type) -> (value, profile whose file defines it) or None when the
# jurisdiction has no such rule. Read by hand from seeds/ and POLICY_RULES.md sections 1 and 5.
EXPECTED = [
    ("national", CC, "childcare", "new", (10, "national")),
    ("national", CC, "childcare", "old", (8, "national")),
    ("national", EC, "eldercare", "new", None),
    ("chuzhou", CC, "childcare", "new", (10, "chuzhou")),
    ("chuzhou", CC, "childcare", "old", (8, "chuzhou")),
    ("chuzhou", EC, "eldercare", "new", None),
    ("chuzhou", EC, "eldercare", "old", (20, "chuzhou")),
    ("chuzhou", "facilities_per_population", "childcare", "new", (20000, "chuzhou")),
    ("xuanhan", CC, "childcare", "new", (10, "xuanhan")),
    ("xuanhan", CC, "childcare", "old", (8, "xuanhan")),
    ("xuanhan", EC, "eldercare", "new", None),
    ("xuanhan", EC, "eldercare", "old", None),
    ("xuanhan", "eldercare_land_per_resident", "eldercare", "any", (0.1, "xuanhan")),
    ("quzhou", CC, "childcare", "new", (10, "quzhou")),
    # Quzhou's plan states no old-area figure: the tool default is not inherited (audit H1)
    ("quzhou", CC, "childcare", "old", None),
    ("quzhou", EC, "eldercare", "new", (20, "quzhou")),
    ("quzhou", EC, "eldercare", "old", None),
    ("quzhou", "eldercare_min_site_area", "eldercare", "new", (200, "quzhou")),
    ("quzhou", "eldercare_min_site_area", "eldercare", "old", None),
    ("hefei", CC, "childcare", "new", (10, "hefei")),
    ("hefei", CC, "childcare", "old", (8, "hefei")),
    ("hefei", EC, "eldercare", "new", (30, "hefei")),
    ("hefei", EC, "eldercare", "old", (20, "hefei")),
    ("hefei", "eldercare_min_site_area", "eldercare", "new", (350, "hefei")),
    ("hefei", "eldercare_land_per_resident", "eldercare", "any", (0.2, "hefei")),
    ("suizhou", CC, "childcare", "new", (4.5, "suizhou")),
    ("suizhou", CC, "childcare", "old", None),
    ("suizhou", EC, "eldercare", "new", (20, "suizhou")),
    ("suizhou", EC, "eldercare", "old", None),
    ("suizhou", "childcare_max_site_places", "childcare", "new", (150, "suizhou")),
    ("suizhou", "childcare_max_site_places", "childcare", "old", (150, "suizhou")),
    ("suizhou", "eldercare_land_per_resident", "eldercare", "any", (0.1, "suizhou")),
    ("hefei", "childcare_max_site_places", "childcare", "new", None),
]


def test_shipped_profiles_are_listed_with_their_parent():
    profiles = {p.id: p for p in list_profiles()}
    assert set(profiles) == {"national", *JURISDICTIONS}
    assert profiles["national"].parent is None
    for j in JURISDICTIONS:
        assert profiles[j].parent == "national"
        assert profiles[j].chain == (j, "national")


@pytest.mark.parametrize(("pid", "kind", "service", "area_type", "expected"), EXPECTED)
def test_rule_figures_by_jurisdiction(pid, kind, service, area_type, expected):
    rule = load_profile(pid).rule(kind, service=service, area_type=area_type)
    if expected is None:
        assert rule is None
    else:
        assert rule is not None
        assert rule.value == pytest.approx(expected[0])
        assert rule.origin == expected[1]


def test_every_rule_and_parameter_has_a_source_and_local_rules_quote_their_plan():
    for p in list_profiles():
        for r in p.rules:
            assert r.kind in KINDS
            assert r.source.document.strip() and r.source.clause.strip(), (p.id, r.id)
            if r.origin != "national" and KINDS[r.kind].scope != "indicator":
                assert "「" in r.source.clause, (p.id, r.id)  # a quoted phrase of the plan
        for prm in p.parameters.values():
            assert prm.source.document.strip() and prm.source.clause.strip(), (p.id, prm.id)


def test_required_parameters_resolve_through_national():
    for p in list_profiles():
        for pid in REQUIRED_PARAMETERS:
            assert p.param(pid) > 0
    nat = load_profile("national")
    assert nat.param("persons_per_household") == 2.62
    assert nat.param("walking_speed_m_per_min") == 60
    assert nat.param("elderly_walking_speed_m_per_min") < nat.param("walking_speed_m_per_min")
    assert nat.param("childcare_service_minutes") == 15
    assert nat.param("eldercare_service_minutes") == 15
    assert nat.param("floor_area_per_person_m2") == 35
    assert nat.param("elderly_share_60plus") == pytest.approx(0.187)
    # Quzhou's 2.33 is a census statistic of its trends section, not a conversion (audit M1)
    quzhou = load_profile("quzhou")
    assert quzhou.param("persons_per_household") == 2.62
    assert quzhou.is_inherited(quzhou.parameter("persons_per_household"))
    assert "2.33" in " ".join(quzhou.notes)
    hefei = load_profile("hefei")
    assert hefei.param("persons_per_household") == 2.62
    assert hefei.is_inherited(hefei.parameter("persons_per_household"))


def test_tool_defaults_and_secondary_figures_say_so():
    nat = load_profile("national")
    for pid in ("walking_speed_m_per_min", "elderly_walking_speed_m_per_min"):
        assert "not a policy figure" in nat.parameter(pid).note
    assert "secondary" in nat.parameter("floor_area_per_person_m2").note
    assert "†" in nat.parameter("floor_area_per_person_m2").source.clause


def test_national_citywide_target_is_an_indicator_not_a_development_rule():
    nat = load_profile("national")
    target = nat.rule("childcare_places_per_1000_citywide")
    assert target is not None and target.value == 4.5 and target.scope == "indicator"
    assert all(r.value != 4.5 for r in nat.rules_for(kind=CC))


def test_suizhou_omits_the_old_area_rule_with_its_reason():
    s = load_profile("suizhou")
    assert [o.id for o in s.omitted] == ["childcare_places_old", ""]
    o = s.omitted[0]
    assert (o.kind, o.area_type, o.origin) == (CC, "old", "suizhou")
    assert "按标补齐" in o.reason and "按标补齐" in o.source.clause
    assert s.rules_for(kind=CC, area_type="old") == []
    # the old-area elder-care rule is declared absent with the same 「按标补齐」 (audit L7)
    decl = s.omitted[1]
    assert (decl.kind, decl.service, decl.area_type) == (EC, "eldercare", "old")
    assert "按标补齐" in decl.reason and "按标补齐" in decl.source.clause


def test_rule_without_area_type_falls_back_to_any_area_type():
    hefei = load_profile("hefei")
    assert hefei.rule("eldercare_min_site_area", service="eldercare").value == 350
    assert hefei.rule("eldercare_min_site_area", area_type="old") is None
    assert load_profile("suizhou").rule("childcare_max_site_places").value == 150
    assert load_profile("national").rule("eldercare_min_site_area") is None


def test_rules_for_filters_and_both_matches_either_service():
    s = load_profile("suizhou")
    land = s.rules_for(kind="eldercare_land_per_resident", service="childcare")
    assert [r.service for r in land] == ["both"]
    assert {r.area_type for r in s.rules_for(area_type="new")} <= {"new", "any"}


def test_unknown_profile_id_lists_the_available_ones():
    with pytest.raises(ProfileError) as exc:
        load_profile("nanjing")
    msg = str(exc.value)
    assert "unknown profile 'nanjing'" in msg and "hefei" in msg and "suizhou" in msg


def test_missing_parameter_raises_profile_error():
    with pytest.raises(ProfileError, match="no parameter 'beds_per_toilet'"):
        load_profile("hefei").param("beds_per_toilet")


USER_PROFILE = """
id = "mycity"
name = "某市"
parent = "hefei"
notes = ["a user profile"]

[documents.mine]
title = "某市养老托育设施配置导则"

[[rules]]
id = "childcare_places_new"
service = "childcare"
kind = "childcare_places_per_1000"
area_type = "new"
value = 12
unit = "托位/千人"
basis = "local_plan"
strength = "mandatory"
source = { document = "mine", clause = "第3条「每千人口不少于12个托位」" }

[[rules]]
id = "eldercare_service_circle"
service = "eldercare"
kind = "service_circle_minutes"
area_type = "any"
value = 10
unit = "分钟步行"
basis = "local_plan"
strength = "mandatory"
source = { document = "mine", clause = "第5条「10分钟」" }

[[omit]]
id = "eldercare_area_old"
reason = "no figure"
source = { document = "plan", clause = "inherited alias from hefei" }

[parameters.persons_per_household]
value = 2.8
unit = "人/户"
basis = "local_plan"
source = { document = "mine", clause = "第2条" }
"""


def test_user_profile_by_path_and_by_extra_dir_inherits_and_overrides(tmp_path):
    f = tmp_path / "mycity.toml"
    f.write_text(USER_PROFILE, encoding="utf-8")
    for p in (load_profile(f), load_profile("mycity", extra_dirs=[tmp_path])):
        assert p.chain == ("mycity", "hefei", "national")
        assert p.rule(CC, area_type="new").value == 12
        assert p.rule(CC, area_type="new").source.document == "某市养老托育设施配置导则"
        assert p.rule(EC, area_type="new").value == 30  # from hefei
        assert p.rule(EC, area_type="new").origin == "hefei"
        assert p.rule(EC, area_type="old") is None
        # the omission cites the parent's [documents] alias
        assert p.omitted[0].source.document.startswith("合肥市")
        assert p.param("persons_per_household") == 2.8
        assert p.param("eldercare_service_minutes") == 10  # from_rule follows the override
    ids = [p.id for p in list_profiles(extra_dirs=[tmp_path])]
    assert "mycity" in ids and "hefei" in ids


BAD_PROFILE = """
id = "broken"
name = "坏"
parent = "national"

[[rules]]
id = "r_kind"
service = "childcare"
kind = "childcare_places_per_10000"
area_type = "new"
value = 10
unit = "托位/千人"
basis = "local_plan"
strength = "mandatory"
source = { document = "x", clause = "y" }

[[rules]]
id = "r_service"
service = "kindergarten"
kind = "childcare_places_per_1000"
area_type = "mid"
value = "ten"
unit = ""
basis = "local_plan"
strength = "mandatory"
source = { document = "x" }

[[rules]]
id = "r_negative"
service = "eldercare"
kind = "eldercare_min_site_area"
area_type = "new"
value = -200
unit = "m²"
basis = "local_plan"
strength = "must"

[parameters.persons_per_household]
value = "2.6"
unit = "人/户"
basis = "local_plan"
source = { document = "x", clause = "y" }
"""


def test_malformed_profile_reports_every_problem_with_file_rule_and_field(tmp_path):
    f = tmp_path / "broken.toml"
    f.write_text(BAD_PROFILE, encoding="utf-8")
    with pytest.raises(ProfileError) as exc:
        load_profile(f)
    msg = str(exc.value)
    problems = exc.value.problems
    assert all(p.source == str(f) for p in problems)
    expected = {
        ("r_kind", "kind"), ("r_service", "service"), ("r_service", "area_type"),
        ("r_service", "value"), ("r_service", "unit"), ("r_service", "source.clause"),
        ("r_negative", "value"), ("r_negative", "source"), ("r_negative", "strength"),
        ("persons_per_household", "value"),
    }
    found = {(name, p.field) for p in problems for name, _ in expected
             if f"'{name}'" in p.message}
    assert expected <= found, msg
    assert len(problems) == len(expected)
    assert str(f) in msg and "rule 'r_kind'" in msg and "field 'kind'" in msg
    assert "childcare_places_per_10000" in msg


_HEAD = 'id = "t"\nname = "x"\nparent = "national"\n'
_RULE = ('[[rules]]\nid = "r"\nservice = "childcare"\nkind = "{kind}"\narea_type = "old"\n'
         'value = 8\nunit = "u"\nbasis = "local_plan"\nstrength = "mandatory"\n{extra}\n'
         'source = {{ document = "d", clause = "c" }}\n')


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('id = "t"\nname = "x"\nparent = "national"\n[[rules]\n', "not valid TOML"),
        ('id = "t"\nname = "x"\nparent = "atlantis"\n', "parent profile 'atlantis' not found"),
        ('id = "other"\nname = "x"\nparent = "national"\n', "must equal the file name"),
        ('id = "t"\nname = "x"\nparent = "national"\n[[omit]]\nid = "nope"\nreason = "r"\n'
         'source = { document = "d", clause = "c" }\n', "omit 'nope': no inherited rule"),
        ('id = "t"\nname = "x"\n', "required parameter 'persons_per_household'"),
        ('id = "t"\nname = "x"\nparent = "national"\ncolour = "red"\n', "unknown top-level key"),
        (_HEAD + _RULE.format(kind="childcare_places_per_1000", extra='condition = "rich"'),
         "condition 'rich' is not one of no_existing_childcare"),
        (_HEAD + _RULE.format(kind="childcare_places_per_1000_citywide",
                              extra='condition = "no_existing_childcare"'),
         "a condition narrows a development rule"),
        (_HEAD + _RULE.format(kind="childcare_places_per_1000", extra='deadline = "2025年前"'),
         "deadline must be a year"),
    ],
)
def test_malformed_profile_files(tmp_path, text, needle):
    f = tmp_path / "t.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as exc:
        load_profile(f)
    assert needle in str(exc.value)
    assert str(f) in str(exc.value)


def test_parent_cycle_is_reported(tmp_path):
    (tmp_path / "a.toml").write_text('id = "a"\nname = "A"\nparent = "b"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('id = "b"\nname = "B"\nparent = "a"\n', encoding="utf-8")
    with pytest.raises(ProfileError, match="cycle: a → b → a"):
        load_profile("a", extra_dirs=[tmp_path])


def test_list_profiles_collects_problems_of_every_file(tmp_path):
    (tmp_path / "x1.toml").write_text('id = "x1"\nname = 5\nparent = "national"\n',
                                      encoding="utf-8")
    (tmp_path / "x2.toml").write_text('id = "x2"\nname = "B"\nparent = "nowhere"\n',
                                      encoding="utf-8")
    with pytest.raises(ProfileError) as exc:
        list_profiles(extra_dirs=[tmp_path])
    msg = str(exc.value)
    assert "x1.toml" in msg and "x2.toml" in msg


POLICY_FIGURES = {2.62, 2.33, 4.5, 150, 200, 350, 35, 20000, 0.187, 15, 60, 50, 0.1, 0.2}


@pytest.mark.parametrize("module", ["profiles.py", "demand.py", "compliance.py",
                                    "commands/check.py", "commands/profiles.py"])
def test_no_policy_figure_literals_in_code(module):
    tree = ast.parse((PROFILE_DIR.parent / module).read_text(encoding="utf-8"))
    numbers = {n.value for n in ast.walk(tree)
               if isinstance(n, ast.Constant) and isinstance(n.value, int | float)
               and not isinstance(n.value, bool)}
    assert not numbers & POLICY_FIGURES, sorted(numbers & POLICY_FIGURES)


def test_profile_files_are_utf8_toml_named_by_id():
    for f in Path(PROFILE_DIR).glob("*.toml"):
        assert load_profile(f).id == f.stem


# ---------------------------------------------------------------- basis, strength, level

# Hand-read from the seeds (audit §1): the verbs and table columns decide the strength.
STRENGTH_AND_BASIS = [
    ("national", "childcare_places_new", "tool_default", "mandatory"),
    ("national", "childcare_places_old", "tool_default", "mandatory"),
    ("national", "childcare_service_circle", "tool_default", "advisory"),
    ("national", "eldercare_beds_per_1000_elderly", "national_standard", "mandatory"),
    ("chuzhou", "childcare_places_old", "local_plan", "mandatory"),  # 不少于
    ("chuzhou", "childcare_puhui_share_2025", "local_plan", "mandatory"),
    ("xuanhan", "eldercare_health_colocation", "local_plan", "advisory"),  # 推动…同址或邻近
    ("quzhou", "childcare_per_street", "local_plan", "advisory"),  # 基本全覆盖
    ("quzhou", "childcare_puhui_share_2025", "local_plan", "mandatory"),
    ("hefei", "eldercare_area_new", "local_plan", "mandatory"),  # 不得低於
    ("hefei", "childcare_puhui_share_2025", "local_plan", "advisory"),  # 預期性
    ("hefei", "eldercare_compliance_rate_new", "local_plan", "mandatory"),  # 約束性
    ("suizhou", "childcare_max_site_places", "local_plan", "advisory"),  # 原则上…为宜
    ("suizhou", "childcare_public_per_street", "local_plan", "advisory"),  # 力争
]


@pytest.mark.parametrize(("pid", "rid", "basis", "strength"), STRENGTH_AND_BASIS)
def test_basis_and_strength_as_the_plans_say(pid, rid, basis, strength):
    rule = next(r for r in load_profile(pid).rules if r.id == rid)
    assert (rule.basis, rule.strength) == (basis, strength)


def test_every_rule_and_parameter_carries_basis_strength_and_level():
    from planning.profiles import BASES, LEVELS, STRENGTHS

    for p in list_profiles():
        for r in p.rules:
            assert r.basis in BASES and r.strength in STRENGTHS and r.level in LEVELS, r.id
            if KINDS[r.kind].scope == "development":
                assert r.level == "development"
            # only the national profile states tool defaults; a local plan never does
            if r.basis == "tool_default":
                assert r.origin == "national", (p.id, r.id)
        for prm in p.parameters.values():
            assert prm.basis in BASES, (p.id, prm.id)
    nat = load_profile("national")
    assert nat.parameter("walking_speed_m_per_min").basis == "tool_default"
    assert nat.parameter("persons_per_household").basis == "national_standard"
    assert nat.parameter("health_colocation_max_m").basis == "tool_default"


def test_chuzhou_2wan_rule_is_a_residential_district_rule():
    r = next(r for r in load_profile("chuzhou").rules if r.id == "childcare_sites_per_20000")
    assert (r.level, r.scope, r.value) == ("residential_district", "district", 20000)


def test_circles_a_plan_does_not_state_are_labelled_tool_defaults():
    # child-care circle: only Quzhou states one; elder-care circle: all but Chuzhou
    for pid, service, basis in [("chuzhou", "childcare", "tool_default"),
                                ("chuzhou", "eldercare", "tool_default"),
                                ("xuanhan", "childcare", "tool_default"),
                                ("xuanhan", "eldercare", "local_plan"),
                                ("quzhou", "childcare", "local_plan"),
                                ("hefei", "childcare", "tool_default"),
                                ("hefei", "eldercare", "local_plan"),
                                ("suizhou", "childcare", "tool_default"),
                                ("suizhou", "eldercare", "local_plan")]:
        prm = load_profile(pid).parameter(f"{service}_service_minutes")
        assert (prm.value, prm.basis) == (15, basis), (pid, service)


def test_local_profiles_never_inherit_the_national_tool_default_verdict_rules(tmp_path):
    q = load_profile("quzhou")
    o = next(o for o in q.omitted if o.id == "childcare_places_old")
    assert o.automatic and o.rule is not None and o.rule.value == 8
    assert "states no figure" in o.reason
    # a planner adopts it on purpose: back, and marked adopted
    adopted = q.adopt_defaults(["childcare_places_old"])
    r = adopted.rule(CC, area_type="old")
    assert r is not None and r.value == 8 and r.adopted and r.decides
    assert not any(o.id == "childcare_places_old" for o in adopted.omitted)
    # the national profile keeps them, as reference checks until adopted
    nat = load_profile("national")
    assert not nat.rule(CC, area_type="new").decides
    assert nat.adopt_defaults(["childcare_places_new"]).rule(CC, area_type="new").decides
    with pytest.raises(ProfileError, match="not a tool-default rule"):
        q.adopt_defaults(["childcare_places_new"])
    # a user profile under national inherits no verdict rule it does not state itself
    (tmp_path / "bare.toml").write_text('id = "bare"\nname = "某县"\nparent = "national"\n',
                                        encoding="utf-8")
    bare = load_profile("bare", extra_dirs=[tmp_path])
    assert bare.rules_for(kind=CC) == []
    assert {o.id for o in bare.omitted} == {"childcare_places_new", "childcare_places_old"}


def test_persons_per_household_set_by_the_planner_shows_its_basis():
    q = load_profile("quzhou").with_parameter("persons_per_household", 2.33)
    prm = q.parameter("persons_per_household")
    assert (prm.value, prm.basis) == (2.33, "planner")
    # the source is the tool's own words: shown in the reader's language, also in the report
    assert prm.source.render("en") == "set for this run (profile value 2.62)"
    assert prm.source.render("zh") == "本次运行设定（规划标准取值 2.62）"
    from maps.demand_tables import pph_text

    described = json.loads(json.dumps(prm.describe()))  # as a saved run keeps it
    assert pph_text(described, "zh") == (
        "2.33 人/户（规划人员本次设定；本次运行设定（规划标准取值 2.62））")
    with pytest.raises(ProfileError):
        q.with_parameter("persons_per_household", 0)


@pytest.mark.parametrize("missing", ["basis", "strength"])
def test_a_rule_without_basis_or_strength_is_rejected(tmp_path, missing):
    lines = {"basis": 'basis = "local_plan"\n', "strength": 'strength = "mandatory"\n'}
    text = ('id = "t"\nname = "x"\nparent = "national"\n[[rules]]\nid = "r"\n'
            'service = "childcare"\nkind = "childcare_places_per_1000"\narea_type = "new"\n'
            'value = 10\nunit = "托位/千人"\nsource = { document = "d", clause = "「c」" }\n'
            + "".join(v for k, v in lines.items() if k != missing))
    f = tmp_path / "t.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as exc:
        load_profile(f)
    assert any(p.field == missing for p in exc.value.problems)


def test_a_user_profile_that_states_a_tool_default_applies_it_on_purpose(tmp_path):
    (tmp_path / "myquzhou.toml").write_text(
        'id = "myquzhou"\nname = "衢州（规划院口径）"\nparent = "quzhou"\n'
        '[[rules]]\nid = "childcare_places_old"\nservice = "childcare"\n'
        'kind = "childcare_places_per_1000"\narea_type = "old"\nvalue = 8\nunit = "托位/千人"\n'
        'basis = "tool_default"\nstrength = "mandatory"\n'
        'source = { document = "common_rule", clause = "滁州、宣汉、合肥方案「不少于8个托位」" }\n',
        encoding="utf-8")
    p = load_profile("myquzhou", extra_dirs=[tmp_path])
    r = p.rule(CC, area_type="old")
    assert r is not None and r.value == 8 and r.adopted and r.decides
    assert not any(o.id == "childcare_places_old" for o in p.omitted)


@pytest.mark.parametrize(("pid", "share", "origin"), [
    ("hefei", 0.12, "hefei"),  # 「65歲及以上人口112.3萬人、占12%」 (audit L8)
    ("chuzhou", 0.1597, "chuzhou"),  # 「65岁以上人口为636867人,占15.97%」
    ("quzhou", 0.135, "national"),  # the plan gives no 65+ share: the census 13.50 %
])
def test_elderly_share_65plus_from_the_plan_where_it_states_one(pid, share, origin):
    prm = load_profile(pid).parameter("elderly_share_65plus")
    assert (prm.value, prm.origin) == (pytest.approx(share), origin)
    assert prm.basis == ("local_plan" if origin == pid else "national_standard")
