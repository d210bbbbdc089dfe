//! Policy files that must be refused, each with a clear message naming the line.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_policy::{DEFAULT_POLICY, Policy};

const ENVS: &str = r#"
[[environments]]
name = "staging"
tier = "staging"

[[environments]]
name = "prod"
tier = "production"
"#;

#[track_caller]
fn refused(body: &str, line: Option<usize>, fragment: &str) {
    let source = format!("{ENVS}{body}");
    let err = Policy::parse(&source).expect_err("the policy should be refused");
    assert!(
        err.message.contains(fragment),
        "`{err}` should mention `{fragment}`"
    );
    assert_eq!(err.line, line, "`{err}` should name line {line:?}");
}

#[test]
fn the_default_policy_parses() {
    let p = Policy::parse(DEFAULT_POLICY).unwrap();
    assert_eq!(p.rules.len(), 8);
    assert_eq!(p.environment("production").unwrap().name, "prod");
    assert_eq!(p.reviews.due_days, 5);
}

#[test]
fn a_review_due_date_out_of_range_or_unknown_keys_are_refused() {
    refused("[reviews]\ndue_days = 0\n", Some(9), "1 to 90 days");
    refused("[reviews]\ndue_days = 365\n", Some(9), "1 to 90 days");
    refused("[reviews]\ndue = 5\n", Some(10), "unknown field");
    refused(
        "[[rules]]\nkind = \"review\"\nactions = \"yes\"\n",
        Some(9),
        "invalid type",
    );
}

#[test]
fn risk_rules_that_ask_for_nothing_or_the_impossible() {
    refused(
        "[[rules]]\nkind = \"risk\"\nwhen = { risk_at_least = \"high\" }\n",
        Some(9),
        "asks for something",
    );
    refused(
        "[[rules]]\nkind = \"risk\"\napprovers = 0\n",
        Some(9),
        "`approvers = 0`",
    );
    refused(
        "[[rules]]\nkind = \"risk\"\nother_team = true\nrehearsal = true\n",
        Some(9),
        "`other_team = true` needs `approvers`",
    );
    refused(
        "[[rules]]\nkind = \"risk\"\nblock_linked_score = 26\n",
        Some(9),
        "from 1 to 25",
    );
    refused(
        "[[rules]]\nkind = \"risk\"\nrehearsal = \"yes\"\n",
        Some(9),
        "",
    );
    refused(
        "[[rules]]\nkind = \"risk\"\nrehearsal = true\nteams = 2\n",
        Some(9),
        "teams",
    );
}

#[test]
fn malformed_toml() {
    refused("[[rules]\nkind = \"approvals\"\n", Some(9), "");
    refused("[[rules]]\nkind = approvals\n", Some(10), "");
    refused(
        "[[rules]]\nkind = \"notice\"\nhours = 24\nhours = 48\n",
        Some(12),
        "duplicate",
    );
}

#[test]
fn unknown_rule_kinds_and_keys() {
    refused(
        "[[rules]]\nkind = \"vibes\"\n",
        Some(10),
        "unknown variant `vibes`",
    );
    refused(
        "[[rules]]\nkind = \"notice\"\nhour = 24\n",
        Some(9),
        "unknown field `hour`",
    );
    refused(
        "[[rules]]\nkind = \"notice\"\nhours = 24\nwhen = { tier = [\"production\"] }\n",
        Some(9),
        "unknown field `tier`",
    );
    refused("[[rules]]\nkind = \"notice\"\nhours = -3\n", Some(9), "");
    refused("[surprise]\nx = 1\n", Some(9), "unknown field `surprise`");
    refused(
        "[[environments]]\nname = \"qa\"\ntier = \"moon\"\n",
        Some(11),
        "unknown variant `moon`",
    );
}

#[test]
fn contradictory_settings() {
    refused(
        "[[rules]]\nkind = \"approvals\"\ncount = 0\n",
        Some(9),
        "count = 0",
    );
    refused(
        "[[rules]]\nkind = \"approvals\"\ncount = 1\nroles = []\n",
        Some(9),
        "no approval could ever count",
    );
    refused(
        "[[rules]]\nkind = \"approvals\"\ncount = 1\nroles = [\"auditor\"]\n",
        Some(9),
        "auditor",
    );
    refused(
        "[[rules]]\nkind = \"approvals\"\ncount = 1\nwhen = { tiers = [\"production\"], environments = [\"staging\"] }\n",
        Some(9),
        "could never apply",
    );
    refused(
        "[[rules]]\nkind = \"notice\"\nhours = 1\nwhen = { environments = [\"moon\"] }\n",
        Some(9),
        "not in [[environments]]",
    );
    refused(
        "[[rules]]\nkind = \"notice\"\nhours = 1\nwhen = { tiers = [\"development\"] }\n",
        Some(9),
        "no environment has a tier",
    );
    refused(
        "[[rules]]\nkind = \"notice\"\nhours = 24\n\n[[rules]]\nkind = \"notice\"\nhours = 48\n",
        Some(13),
        "two rules are named `notice`",
    );
    refused(
        "[[rules]]\nkind = \"rollback\"\nrehearsal_from_risk = \"medium\"\nwhen = { risk_at_least = \"high\" }\n",
        Some(9),
        "never sees medium",
    );
    refused(
        "[[rules]]\nkind = \"escalation\"\n",
        Some(9),
        "say which releases are critical",
    );
    refused(
        "[[rules]]\nkind = \"promotion\"\norder = [\"prod\", \"moon\"]\n",
        Some(9),
        "`moon`",
    );
    refused(
        "[[rules]]\nkind = \"emergency\"\npost_hoc_hours = 0\n",
        Some(9),
        "no time",
    );
    refused(
        "[[environments]]\nname = \"prod\"\ntier = \"production\"\n",
        Some(9),
        "listed twice",
    );
}

#[test]
fn rego_that_does_not_compile_or_run() {
    refused(
        "[[rego]]\nname = \"broken\"\nmodule = '''\npackage relm.broken\ndeny contains msg if {\n'''\n",
        Some(9),
        "Rego rule `broken`",
    );
    refused(
        "[[rego]]\nname = \"silent\"\nmodule = '''\npackage relm.silent\nallow := true\n'''\n",
        Some(9),
        "neither `deny` nor `warn`",
    );
    refused(
        "[[rego]]\nname = \"typo\"\nmodule = '''\npackage relm.typo\ndeny contains msg if { msg := no_such_function(1) }\n'''\n",
        Some(9),
        "Rego rule `typo`",
    );
    refused(
        "[[rego]]\nname = \"\"\nmodule = \"package x\"\n",
        Some(9),
        "unique `name`",
    );
}

#[test]
fn a_rego_rule_that_runs_away_is_stopped() {
    let module = r#"
[[rego]]
name = "spin"
module = '''
package relm.spin
import rego.v1
deny contains msg if {
    n := count([x | some a in numbers.range(1, 4000); some b in numbers.range(1, 4000); x := a * b])
    n < 0
    msg := "never"
}
'''
"#;
    refused(module, Some(10), "ran longer than its 250 ms budget");
}

#[test]
fn huge_files_are_refused() {
    let big = format!("# {}\n", "x".repeat(2 << 20));
    let err = Policy::parse(&big).unwrap_err();
    assert!(err.message.contains("under 1 MiB"), "{err}");
}

#[test]
fn a_risk_section_that_cannot_score() {
    // ENVS is 8 lines; the section starts on line 9.
    refused(
        "[risk]\nsignals = { medium = 20, high = 10, critical = 30 }\n",
        Some(9),
        "[risk.signals]: thresholds must rise strictly",
    );
    refused(
        "[risk]\nquestionnaire = { medium = 0, high = 10, critical = 30 }\n",
        Some(9),
        "[risk.questionnaire]",
    );
    refused(
        "[[risk.questions]]\nkey = \"a\"\ntext = \"A?\"\nanswers = [{ value = \"yes\", points = 5 }]\n",
        Some(9),
        "question `a` needs at least two answers",
    );
    refused(
        "[[risk.questions]]\nkey = \"a\"\ntext = \"A?\"\nanswers = [{ value = \"yes\", points = 5 }, { value = \"yes\", points = 0 }]\n",
        Some(9),
        "every answer needs its own `value`",
    );
    refused(
        "[[risk.questions]]\nkey = \"a\"\ntext = \"A?\"\nanswers = [{ value = \"y\", points = 1 }, { value = \"n\", points = 0 }]\n[[risk.questions]]\nkey = \"a\"\ntext = \"Again?\"\nanswers = [{ value = \"y\", points = 1 }, { value = \"n\", points = 0 }]\n",
        Some(9),
        "`a` is empty or taken",
    );
    refused("[risk]\nweights = { production = -3 }\n", Some(10), "");
    refused(
        "[risk]\nweigths = {}\n",
        Some(10),
        "unknown field `weigths`",
    );
    refused(
        "[[risk.questions]]\nkey = \"a\"\ntext = \"A?\"\nanswers = [{ value = \"y\", point = 1 }]\n",
        Some(12),
        "unknown field `point`",
    );
}

#[test]
fn a_risk_section_is_read_with_its_defaults() {
    let p = Policy::parse(&format!(
        "{ENVS}[risk]\nweights = {{ production = 20 }}\n[[risk.questions]]\nkey = \"customer_facing\"\ntext = \"Do customers see it?\"\ntext_fr = \"Les clients le voient-ils ?\"\nanswers = [{{ value = \"no\", points = 0 }}, {{ value = \"yes\", points = 10, label = \"Yes\", label_fr = \"Oui\" }}]\n"
    ))
    .unwrap();
    assert_eq!(p.risk.weights.production, 20);
    assert_eq!(
        p.risk.weights.emergency_change, 15,
        "the other weights keep their defaults"
    );
    assert_eq!(p.risk.questions[0].answers[1].label_fr, "Oui");
    assert_eq!(p.risk.signals.high, 30);
}
