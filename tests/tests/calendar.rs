//! The calendar through the real `relm` binary: adding freezes and windows, listing their
//! occurrences with UTC and local times (the CLI contract's JSON), and bad input refused with
//! the field named and nothing stored.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_tests::{Replica, WEEKEND_FREEZE as WEEKEND};

#[test]
fn freezes_and_windows_list_their_occurrences_with_utc_and_local_times() {
    let r = Replica::new();
    r.init();
    let added = r.json(WEEKEND);
    assert_eq!(added["kind"], "freeze");
    assert_eq!(added["level"], "hard");
    assert_eq!(added["scope"]["environments"][0], "prod");
    let me = r.json(&["identity", "show"])["key_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(added["owner"], me.as_str(), "whoever records it by default");
    r.json(&[
        "calendar",
        "add",
        "window",
        "--owner",
        "ADA@acme.example",
        "--name",
        "Tuesday window",
        "--start",
        "2027-03-23T09:00",
        "--end",
        "2027-03-23T11:00",
        "--tz",
        "America/New_York",
        "--rrule",
        "FREQ=WEEKLY",
    ]);
    r.json(&[
        "calendar",
        "add",
        "freeze",
        "--soft",
        "--name",
        "Quarter close",
        "--start",
        "2027-03-31T00:00",
        "--end",
        "2027-04-01T00:00",
        "--tz",
        "UTC",
    ]);
    let list = r.json(&[
        "calendar",
        "list",
        "--from",
        "2027-03-19",
        "--to",
        "2027-04-03",
    ]);
    let rows = list.as_array().unwrap();
    let summary: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|o| {
            for key in [
                "name",
                "kind",
                "start_utc",
                "end_utc",
                "start_local",
                "end_local",
                "tz",
            ] {
                assert!(o.get(key).is_some(), "occurrence lacks `{key}`: {o}");
            }
            assert_eq!(o["owner"], "Ada Lovelace", "occurrences name the owner");
            (
                o["name"].as_str().unwrap().into(),
                o["start_utc"].as_str().unwrap().into(),
                o["end_utc"].as_str().unwrap().into(),
                o["start_local"].as_str().unwrap().into(),
            )
        })
        .collect();
    let s = |a: &str, b: &str, c: &str, d: &str| (a.into(), b.into(), c.into(), d.into());
    assert_eq!(
        summary,
        vec![
            s(
                "Weekend freeze",
                "2027-03-19T17:00:00Z",
                "2027-03-22T05:00:00Z",
                "2027-03-19T18:00"
            ),
            s(
                "Tuesday window",
                "2027-03-23T13:00:00Z",
                "2027-03-23T15:00:00Z",
                "2027-03-23T09:00"
            ),
            s(
                "Weekend freeze",
                "2027-03-26T17:00:00Z",
                "2027-03-29T04:00:00Z",
                "2027-03-26T18:00"
            ),
            s(
                "Tuesday window",
                "2027-03-30T13:00:00Z",
                "2027-03-30T15:00:00Z",
                "2027-03-30T09:00"
            ),
            s(
                "Quarter close",
                "2027-03-31T00:00:00Z",
                "2027-04-01T00:00:00Z",
                "2027-03-31T00:00"
            ),
            s(
                "Weekend freeze",
                "2027-04-02T16:00:00Z",
                "2027-04-05T04:00:00Z",
                "2027-04-02T18:00"
            ),
        ]
    );
    assert_eq!(rows[4]["level"], "soft");
    assert!(rows[1].get("level").is_none(), "windows have no level");
    // --tz shows local times in another zone (and reads the dates there).
    let tokyo = r.json(&[
        "calendar",
        "list",
        "--from",
        "2027-03-20",
        "--to",
        "2027-03-21",
        "--tz",
        "Asia/Tokyo",
    ]);
    assert_eq!(tokyo[0]["tz"], "Asia/Tokyo");
    assert_eq!(tokyo[0]["start_local"], "2027-03-20T02:00");
    assert_eq!(tokyo[0]["end_local"], "2027-03-22T14:00");
    // Human output names the zone and both times.
    let text = r.ok(&[
        "calendar",
        "list",
        "--from",
        "2027-03-19",
        "--to",
        "2027-03-20",
    ]);
    assert!(
        text.contains("hard freeze")
            && text.contains("Europe/Paris")
            && text.contains("2027-03-19T17:00:00Z"),
        "{text}"
    );
    // Entries, removal, and the ledger still verifies.
    let entries = r.json(&["calendar", "entries"]);
    assert_eq!(entries.as_array().unwrap().len(), 3);
    assert!(
        entries
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["owner"] == me.as_str()),
        "an owner named by e-mail is stored as the member's key id: {entries}"
    );
    let id = added["id"].as_str().unwrap();
    r.ok(&["calendar", "remove", &id[..30]]);
    assert_eq!(
        r.json(&["calendar", "entries"]).as_array().unwrap().len(),
        2
    );
    assert_eq!(r.json(&["audit", "verify"])["ok"], true);
}

#[test]
fn bad_calendar_input_is_refused_and_nothing_is_stored() {
    let r = Replica::new();
    r.init();
    r.json(WEEKEND);
    let before = r.event_count();
    let with = |changes: &[(&str, &str)]| {
        let mut args: Vec<String> = WEEKEND.iter().map(|s| s.to_string()).collect();
        for (flag, value) in changes {
            let i = args.iter().position(|a| a == flag).unwrap();
            args[i + 1] = value.to_string();
        }
        args
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            with(&[("--rrule", "FREQ=FORTNIGHTLY")]),
            "not a valid RRULE",
        ),
        (
            with(&[("--rrule", "FREQ=MINUTELY")]),
            "would expand without bound",
        ),
        (
            with(&[("--tz", "Europe/Atlantis")]),
            "unknown time zone `Europe/Atlantis`",
        ),
        (
            with(&[("--end", "2027-03-19T17:00")]),
            "must be after the start",
        ),
        (with(&[("--end", "2027-03-19T18:00")]), "positive duration"),
        (
            with(&[("--start", "19/03/2027 18:00")]),
            "is not a local time",
        ),
    ];
    for (args, fragment) in cases {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = r.fails(&refs, 2);
        assert!(
            err.contains(fragment),
            "{args:?}: `{err}` should mention `{fragment}`"
        );
    }
    let soft_window = r.fails(
        &[
            "calendar",
            "add",
            "window",
            "--soft",
            "--name",
            "w",
            "--start",
            "2027-01-01T00:00",
            "--end",
            "2027-01-01T01:00",
            "--tz",
            "UTC",
        ],
        2,
    );
    assert!(soft_window.contains("freezes only"), "{soft_window}");
    let mut stranger: Vec<&str> = WEEKEND.to_vec();
    stranger.extend(["--owner", "nobody@acme.example"]);
    let owner = r.fails(&stranger, 2);
    assert!(
        owner.contains("no active member has the e-mail `nobody@acme.example`"),
        "{owner}"
    );
    let range = r.fails(
        &[
            "calendar",
            "list",
            "--from",
            "2027-04-01",
            "--to",
            "2027-03-01",
        ],
        2,
    );
    assert!(range.contains("must be after --from"), "{range}");
    let hourly = r.json(&[
        "calendar",
        "add",
        "window",
        "--name",
        "hourly",
        "--start",
        "2027-01-01T00:00",
        "--end",
        "2027-01-01T00:10",
        "--tz",
        "UTC",
        "--rrule",
        "FREQ=HOURLY",
    ]);
    assert_eq!(hourly["kind"], "window");
    let too_many = r.fails(
        &[
            "calendar",
            "list",
            "--from",
            "2027-01-01",
            "--to",
            "2033-01-01",
        ],
        2,
    );
    assert!(too_many.contains("shorter range"), "{too_many}");
    assert_eq!(
        r.event_count(),
        before + 1,
        "only the valid hourly window was recorded"
    );
}

/// Every problem of an entry typed in is said at once, each with its field and a code the app
/// words beside the field: a missing name, an unknown zone and a time that is not one together;
/// an end before the start; an occurrence longer than a year; a rule that cannot repeat.
#[test]
fn a_person_s_bad_entry_is_said_field_by_field() {
    let r = Replica::new();
    r.init();
    let before = r.event_count();
    // `calendar add KIND --name x` at a good time, with `changes` to its options.
    let refused = |kind: &str, changes: &[(&str, &str)]| {
        let mut args: Vec<String> = ["calendar", "add", kind, "--name", "x", "--tz", "UTC"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(["--start", "2027-03-20T10:00", "--end", "2027-03-20T11:00"].map(String::from));
        for (flag, value) in changes {
            match args.iter().position(|a| a == flag) {
                Some(i) => args[i + 1] = value.to_string(),
                None => args.extend([flag.to_string(), value.to_string()]),
            }
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        r.refused(&refs, 2)
    };
    let codes = |err: serde_json::Value| -> Vec<(String, String)> {
        err["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["field"].as_str().unwrap().into(),
                    p["code"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        codes(refused(
            "freeze",
            &[
                ("--name", " "),
                ("--start", "19/03/2027"),
                ("--tz", "Mars/Olympus")
            ]
        )),
        pairs(&[
            ("name", "required"),
            ("tz", "unknown_zone"),
            ("start", "bad_time")
        ])
    );
    assert_eq!(
        codes(refused("freeze", &[("--end", "2027-03-20T09:00")])),
        pairs(&[("end", "end_not_after_start")])
    );
    let long = refused("freeze", &[("--end", "2028-03-21T10:00")]);
    assert_eq!(long["problems"][0]["code"], "span_too_long");
    assert_eq!(long["problems"][0]["params"]["max"], "366");
    let rule = refused("window", &[("--rrule", "FREQ=FORTNIGHTLY")]);
    assert_eq!(codes(rule.clone()), pairs(&[("rrule", "bad_rule")]));
    assert_eq!(
        rule["problems"][0]["params"]["detail"], "`FORTNIGHTLY` is not a valid frequency.",
        "the rule reader's words alone"
    );
    assert_eq!(
        codes(refused("freeze", &[("--env", "prod env")])),
        pairs(&[("environment", "bad_name")])
    );
    assert_eq!(r.event_count(), before, "nothing recorded");
}

/// A rule typed with a mistake says which one, with the values its wording needs, so that the
/// app can say it in the reader's language: the rule reader's English stays in `detail`.
#[test]
fn a_mistyped_rule_says_what_is_wrong_with_it() {
    let r = Replica::new();
    r.init();
    let before = r.event_count();
    // (rule, reason, values of the reason)
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);
    let cases: &[Case] = &[
        ("FREQ=FORTNIGHTLY", "frequency", &[("value", "FORTNIGHTLY")]),
        ("FREQ=MINUTELY", "too_often", &[]),
        ("FREQ=WEEKLY;BYDAY=MO,XX", "weekday", &[("value", "XX")]),
        ("FREQ=WEEKLY;WKST=LU", "weekday", &[("value", "LU")]),
        (
            "FREQ=YEARLY;BYMONTH=13",
            "range",
            &[
                ("part", "BYMONTH"),
                ("value", "13"),
                ("min", "1"),
                ("max", "12"),
            ],
        ),
        (
            "FREQ=WEEKLY;INTERVAL=two",
            "range",
            &[("part", "INTERVAL"), ("value", "two"), ("min", "1")],
        ),
        (
            "FREQ=MONTHLY;BYDAY=9MO",
            "range",
            &[
                ("part", "BYDAY"),
                ("value", "9"),
                ("min", "-4"),
                ("max", "5"),
            ],
        ),
        ("FREQ=WEEKLY;COUNT=-1", "count", &[("value", "-1")]),
        (
            "FREQ=WEEKLY;UNTIL=2027-06-30",
            "until",
            &[("value", "2027-06-30")],
        ),
        ("BYDAY=MO", "no_frequency", &[]),
        ("FREQ=WEEKLY;FREQ=DAILY", "repeated", &[("part", "FREQ")]),
        ("FREQ=WEEKLY;ON=MO", "part", &[("value", "ON")]),
        ("FREQ=WEEKLY;BYDAY", "part", &[("value", "BYDAY")]),
        (
            "FREQ=MONTHLY;BYWEEKNO=3",
            "by_frequency",
            &[("part", "BYWEEKNO"), ("frequency", "MONTHLY")],
        ),
        (
            "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0",
            "not_allowed",
            &[("part", "BYSETPOS"), ("value", "0")],
        ),
    ];
    for (rule, reason, params) in cases {
        let err = r.refused(
            &[
                "calendar",
                "add",
                "window",
                "--name",
                "x",
                "--tz",
                "UTC",
                "--start",
                "2027-03-20T10:00",
                "--end",
                "2027-03-20T11:00",
                "--rrule",
                rule,
            ],
            2,
        );
        let p = &err["problems"][0];
        assert_eq!(
            (&p["field"], &p["code"]),
            (&"rrule".into(), &"bad_rule".into()),
            "{rule}"
        );
        assert_eq!(p["params"]["reason"], *reason, "{rule}: {p}");
        for (key, value) in *params {
            assert_eq!(p["params"][key], *value, "{rule}: {key} in {p}");
        }
        assert!(
            p["params"]["detail"]
                .as_str()
                .is_some_and(|d| !d.is_empty()),
            "{rule}: the reader's words are kept"
        );
    }
    assert_eq!(r.event_count(), before, "nothing recorded");
}

/// The calendar page asks for a picked release's conflicts alone: read from the releases near
/// it, they are those the whole list gives it, overlaps counted the same way.
#[test]
fn one_release_s_conflicts_are_those_of_the_whole_list() {
    let r = Replica::new();
    r.init();
    r.json(WEEKEND);
    // A busy Saturday in the freeze and a Tuesday evening: overlaps by service and by
    // environment, counted; the Saturday ones are errors too.
    let mut ids = Vec::new();
    for (n, (service, day)) in [
        ("api", "27"),
        ("api", "27"),
        ("web", "27"),
        ("api", "30"),
        ("web", "30"),
        ("jobs", "30"),
        ("jobs", "30"),
    ]
    .iter()
    .enumerate()
    {
        let start = format!("2027-03-{day}T{:02}:00", 10 + n % 3);
        let end = format!("2027-03-{day}T{:02}:30", 12 + n % 3);
        ids.push(r.plan_release(service, &format!("1.0.{n}"), &start, &end));
    }
    let relm = relm_tests::reader(&r.data_dir());
    let all = relm.calendar_conflicts().unwrap();
    assert!(all.iter().any(|c| c.others > 0), "{all:?}");
    let whole = relm.calendar_conflict_summary(0, None).unwrap();
    assert_eq!(whole.conflicts, all);
    assert!(whole.errors > 0 && !whole.blocked.is_empty(), "{all:?}");
    for id in &ids {
        let own = relm.calendar_conflict_summary(0, Some(id)).unwrap();
        let expected: Vec<_> = all
            .iter()
            .filter(|c| &c.release_id == id)
            .cloned()
            .collect();
        assert_eq!(own.conflicts, expected, "{id}");
        assert_eq!(own.total as usize, expected.len());
        let errors = expected
            .iter()
            .filter(|c| c.severity == relm_calendar::Severity::Error);
        assert_eq!(own.errors as usize, errors.clone().count());
        assert_eq!(own.blocked.len(), usize::from(errors.count() > 0));
    }
}

#[test]
fn conflicts_name_the_release_the_entry_and_the_reason() {
    let r = Replica::new();
    r.init();
    r.ok(&["calendar", "conflicts"]);
    r.json(WEEKEND);
    let create =
        |service: &str, start: &str, end: &str| r.plan_release(service, "1.0.0", start, end);
    let saturday = create("api", "2027-03-27T10:00", "2027-03-27T11:00");
    let tuesday = create("web", "2027-03-30T10:00", "2027-03-30T11:00");
    let out = r.run(&["calendar", "conflicts", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a hard freeze conflict is a negative verdict"
    );
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["release_id"], saturday.as_str());
    assert_eq!(list[0]["code"], "inside_hard_freeze");
    assert_eq!(list[0]["severity"], "error");
    assert_eq!(list[0]["entry_name"], "Weekend freeze");
    assert_eq!(list[0]["environment"], "prod");
    // A production window elsewhere makes every prod release outside it an error.
    r.json(&[
        "calendar",
        "add",
        "window",
        "--name",
        "Tuesday morning",
        "--start",
        "2027-03-02T09:00",
        "--end",
        "2027-03-02T12:00",
        "--tz",
        "Europe/Paris",
        "--rrule",
        "FREQ=WEEKLY;BYDAY=TU",
        "--env",
        "prod",
    ]);
    let text = String::from_utf8(r.run(&["calendar", "conflicts"]).stdout).unwrap();
    assert!(
        text.contains(&saturday) && text.contains("lies in none of them"),
        "{text}"
    );
    assert!(
        !text.contains(&tuesday),
        "the Tuesday release is inside the window: {text}"
    );
}

/// The `freeze` rule's line of `relm check` for release `id` to prod.
fn freeze_line(r: &Replica, id: &str) -> serde_json::Value {
    let out = r.run(&["check", "--release", id, "--env", "prod", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rule"] == "freeze")
        .unwrap()
        .clone()
}

#[test]
fn freezes_and_windows_appear_in_verdicts_and_soft_freezes_take_a_justification() {
    let r = Replica::new();
    r.init();
    let hard = r.json(WEEKEND)["id"].as_str().unwrap().to_string();
    let soft = r.json(&[
        "calendar",
        "add",
        "freeze",
        "--soft",
        "--name",
        "Quarter close",
        "--start",
        "2027-03-31T00:00",
        "--end",
        "2027-04-01T00:00",
        "--tz",
        "Europe/Paris",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let create = |start: &str, end: &str| r.plan_release("api", "1.0.0", start, end);
    let freeze_line = |id: &str| freeze_line(&r, id);
    // The default policy judges freezes for production.
    let saturday = create("2027-03-27T10:00", "2027-03-27T11:00");
    let line = freeze_line(&saturday);
    assert_eq!(line["status"], "fail");
    assert!(
        line["reason"]
            .as_str()
            .unwrap()
            .contains("hard freeze “Weekend freeze”"),
        "{line}"
    );
    let tuesday = create("2027-03-23T10:00", "2027-03-23T11:00");
    assert_eq!(freeze_line(&tuesday)["status"], "pass");
    // A hard freeze cannot be justified away; a soft one can, and then asks for one approval more.
    let refused = r.fails(
        &[
            "release",
            "justify",
            &saturday,
            "--entry",
            &hard,
            "--reason",
            "the launch event is on Saturday",
        ],
        2,
    );
    assert!(refused.contains("not a soft freeze"), "{refused}");
    let quarter = create("2027-03-31T10:00", "2027-03-31T11:00");
    let line = freeze_line(&quarter);
    assert_eq!(line["status"], "fail");
    assert!(
        line["remedy"]
            .as_str()
            .unwrap()
            .contains("relm release justify"),
        "{line}"
    );
    let short = r.fails(
        &[
            "release", "justify", &quarter, "--entry", &soft, "--reason", "urgent",
        ],
        2,
    );
    assert!(short.contains("at least 10 characters"), "{short}");
    let problem = &r.refused(
        &[
            "release", "justify", &quarter, "--entry", &soft, "--reason", "urgent",
        ],
        2,
    )["problems"][0];
    assert_eq!(
        (
            &problem["field"],
            &problem["code"],
            &problem["params"]["min"]
        ),
        (&"reason".into(), &"too_short".into(), &"10".into()),
        "{problem}"
    );
    r.ok(&[
        "release",
        "justify",
        &quarter,
        "--entry",
        &soft[..30],
        "--reason",
        "the regulator's deadline is on April 1st",
    ]);
    let line = freeze_line(&quarter);
    assert_eq!(line["status"], "fail", "still one approval short: {line}");
    assert!(
        line["evidence"][0]
            .as_str()
            .unwrap()
            .contains("regulator's deadline"),
        "{line}"
    );
    assert!(
        line["remedy"].as_str().unwrap().contains("relm approve"),
        "{line}"
    );
    assert_eq!(r.json(&["audit", "verify"])["ok"], true);
}

#[test]
fn the_list_says_which_hard_freeze_decides_over_a_window() {
    let r = Replica::new();
    r.init();
    r.json(WEEKEND);
    let window = |name: &str, env: &str| {
        r.json(&[
            "calendar",
            "add",
            "window",
            "--name",
            name,
            "--start",
            "2027-03-20T10:00",
            "--end",
            "2027-03-20T12:00",
            "--tz",
            "Europe/Paris",
            "--env",
            env,
        ]);
    };
    window("Saturday prod window", "prod");
    window("Saturday staging window", "staging");
    let list = r.json(&[
        "calendar",
        "list",
        "--from",
        "2027-03-20",
        "--to",
        "2027-03-21",
    ]);
    let by = |name: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == name)
            .unwrap()
            .get("overridden_by")
            .cloned()
    };
    assert_eq!(by("Saturday prod window"), Some("Weekend freeze".into()));
    assert_eq!(
        by("Saturday staging window"),
        None,
        "the freeze is on prod only"
    );
    assert_eq!(by("Weekend freeze"), None);
    let text = r.ok(&[
        "calendar",
        "list",
        "--from",
        "2027-03-20",
        "--to",
        "2027-03-21",
    ]);
    assert!(
        text.contains(
            "overridden by the hard freeze `Weekend freeze`: a hard freeze beats a window"
        ),
        "{text}"
    );
}

/// An entry that cannot be expanded got into the store (an older version accepted it, or it
/// came from another replica): the listing, the conflicts and the verdicts keep working for
/// every other entry and name the broken one; only the releases it covers are blocked.
#[test]
fn one_unreadable_entry_does_not_block_the_workspace() {
    let r = Replica::new();
    r.init();
    let add = |name: &str, scope: &[&str], start: &str, end: &str, rule: &str| -> String {
        let mut args = vec![
            "calendar",
            "add",
            "freeze",
            "--name",
            name,
            "--start",
            start,
            "--end",
            end,
            "--tz",
            "Europe/Paris",
            "--rrule",
            rule,
        ];
        args.extend(scope);
        r.json(&args)["id"].as_str().unwrap().to_string()
    };
    add(
        "Weekend freeze",
        &["--env", "prod"],
        "2027-03-19T18:00",
        "2027-03-22T06:00",
        "FREQ=WEEKLY;BYDAY=FR",
    );
    let broken = add(
        "Web nights",
        &["--env", "prod", "--service", "web"],
        "2027-03-01T22:00",
        "2027-03-02T06:00",
        "FREQ=DAILY",
    );
    // As an older version stored it: a rule today's reader cannot expand.
    r.db()
        .execute(
            "UPDATE calendar_entries SET entry = json_set(entry, '$.rrule', 'FREQ=DAILY;BYDAY=XX') WHERE id = ?1",
            [&broken],
        )
        .unwrap();
    let out = r.run(&[
        "calendar",
        "list",
        "--from",
        "2027-03-01",
        "--to",
        "2027-04-01",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Weekend freeze") && !names.contains(&"Web nights"));
    let warning = String::from_utf8_lossy(&out.stderr);
    assert!(
        warning.contains(&broken)
            && warning.contains("Web nights")
            && warning.contains("Ada Lovelace")
            && warning.contains(&format!("relm calendar remove {broken}")),
        "{warning}"
    );
    // A release the entry does not concern is judged as usual; one it covers fails closed,
    // naming the entry.
    let api = r.plan_release("api", "1.0.0", "2027-03-23T10:00", "2027-03-23T11:00");
    let web = r.plan_release("web", "2.0.0", "2027-03-23T10:00", "2027-03-23T11:00");
    let conflicts = r.run(&["calendar", "conflicts", "--json"]);
    let conflicts: serde_json::Value = serde_json::from_slice(&conflicts.stdout).unwrap();
    let unreadable: Vec<&serde_json::Value> = conflicts
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["code"] == "unreadable_entry")
        .collect();
    assert_eq!(unreadable.len(), 1, "{conflicts}");
    assert_eq!(unreadable[0]["release_id"], web.as_str());
    assert_eq!(unreadable[0]["entry_id"], broken.as_str());
    let freeze_line = |id: &str| freeze_line(&r, id);
    assert_eq!(freeze_line(&api)["status"], "pass");
    let line = freeze_line(&web);
    assert_eq!(line["status"], "fail");
    assert!(
        line["reason"].as_str().unwrap().contains(&broken)
            && line["remedy"]
                .as_str()
                .unwrap()
                .contains(&format!("relm calendar remove {broken}")),
        "{line}"
    );
    // Removing it, as the warning says, clears everything.
    r.json(&["calendar", "remove", &broken]);
    let out = r.run(&[
        "calendar",
        "list",
        "--from",
        "2027-03-01",
        "--to",
        "2027-04-01",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).is_empty());
}

/// A release planned in UTC from `start` to `end` ("2027-03-09T10:00"), through the use-cases.
fn planned(relm: &mut relm_api::Relm, version: &str, start: &str, end: &str) -> String {
    relm.create_release(&relm_api::releases::ReleaseInput {
        service: Some("api".into()),
        version: Some(version.into()),
        title: Some("Planned".into()),
        environments: Some(vec!["staging".into(), "prod".into()]),
        window: Some((start.into(), end.into(), "UTC".into())),
        ..Default::default()
    })
    .unwrap()
    .id
}

/// The calendar's views ask for the releases of the days they show: every release whose window
/// overlaps them (one that started days before included, one that ends as they begin left
/// out), each day's count in the zone shown, and for a month only the first few of each day.
#[test]
fn the_calendar_lists_the_releases_overlapping_its_days_and_counts_each_day() {
    let (_dir, _clock, mut relm) = relm_tests::pinned_workspace("Calendar");
    // Eleven days long: it starts a week before the period and runs into it.
    let long = planned(&mut relm, "1.0.0", "2027-03-01T10:00", "2027-03-12T10:00");
    let before = planned(&mut relm, "1.0.1", "2027-03-07T22:00", "2027-03-08T00:00");
    planned(&mut relm, "1.0.2", "2027-03-15T00:00", "2027-03-15T01:00");
    let busy: Vec<String> = ["09", "10", "11", "12", "13"]
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let (s, e) = (format!("2027-03-09T{h}:00"), format!("2027-03-09T{h}:45"));
            planned(&mut relm, &format!("2.0.{i}"), &s, &e)
        })
        .collect();
    // Across midnight in UTC; in Paris, from 00:30 to 01:30 on the 11th.
    let late = planned(&mut relm, "3.0.0", "2027-03-10T23:30", "2027-03-11T00:30");
    // Ends at midnight: the 12th only.
    let midnight = planned(&mut relm, "4.0.0", "2027-03-12T22:00", "2027-03-13T00:00");
    let ids = |c: &relm_api::calendar::CalendarReleases| -> Vec<String> {
        c.releases.iter().map(|r| r.release.id.clone()).collect()
    };
    let days = |c: &relm_api::calendar::CalendarReleases| -> Vec<(String, u32)> {
        c.days.iter().map(|(d, n)| (d.clone(), *n)).collect()
    };
    let day = |d: &str, n: u32| (d.to_string(), n);

    let week = relm
        .calendar_releases("2027-03-08", "2027-03-15", Some("UTC"), None)
        .unwrap();
    let mut all = vec![long.clone()];
    all.extend(busy.iter().cloned());
    all.extend([late.clone(), midnight.clone()]);
    assert_eq!(ids(&week), all, "window order; the edges left out");
    assert_eq!((week.total, week.truncated), (8, false));
    assert_eq!(
        days(&week),
        [
            day("2027-03-08", 1),
            day("2027-03-09", 6),
            day("2027-03-10", 2),
            day("2027-03-11", 2),
            day("2027-03-12", 2),
        ]
    );
    let first = &week.releases[0];
    assert_eq!(
        (first.start_local.as_str(), first.end_local.as_str()),
        ("2027-03-01T10:00", "2027-03-12T10:00")
    );
    assert_eq!(first.release.window.tz, "UTC");

    // A month's days: the first three of each day, every one counted.
    let month = relm
        .calendar_releases("2027-03-08", "2027-03-15", Some("UTC"), Some(3))
        .unwrap();
    assert_eq!(
        ids(&month),
        [
            long.clone(),
            busy[0].clone(),
            busy[1].clone(),
            late.clone(),
            midnight
        ]
    );
    assert_eq!((month.total, month.truncated), (8, false));
    assert_eq!(days(&month), days(&week));

    // In Paris the days begin an hour earlier: the release ending at midnight UTC is in, the
    // one across midnight UTC is on the 11th only.
    let paris = relm
        .calendar_releases("2027-03-08", "2027-03-15", Some("Europe/Paris"), None)
        .unwrap();
    assert_eq!(ids(&paris)[..2], [long.clone(), before]);
    assert_eq!(paris.total, 9);
    assert_eq!(paris.days["2027-03-08"], 2);
    assert_eq!(paris.days["2027-03-10"], 1);
    assert_eq!(paris.days["2027-03-11"], 2);
    let across = paris
        .releases
        .iter()
        .find(|r| r.release.id == late)
        .unwrap();
    assert_eq!(across.start_local, "2027-03-11T00:30");

    // More than the most listed: the first ones, said so, all counted.
    let few = relm
        .calendar_releases_at_most("2027-03-08", "2027-03-15", Some("UTC"), None, 2)
        .unwrap();
    assert_eq!(ids(&few), [long, busy[0].clone()]);
    assert_eq!((few.total, few.truncated), (8, true));
    assert_eq!(days(&few), days(&week));
}

/// A period the calendar cannot list is refused with what was wrong.
#[test]
fn a_bad_period_of_releases_is_refused_with_the_reason() {
    let (_dir, _clock, relm) = relm_tests::pinned_workspace("Calendar");
    let refused = |from: &str, to: &str, tz: &str| {
        let e = relm
            .calendar_releases(from, to, Some(tz), None)
            .unwrap_err();
        assert_eq!(e.code, relm_api::ErrorCode::Validation, "{e:?}");
        e.message
    };
    assert!(refused("2027-03-08", "2027-03-01", "UTC").contains("must be after"));
    assert!(refused("2027-03-08", "2027-03-08", "UTC").contains("must be after"));
    assert!(refused("2027-01-01", "2028-06-01", "UTC").contains("at most 366 days"));
    assert!(refused("8 March", "2027-03-15", "UTC").contains("use a date (2027-03-01)"));
    assert!(refused("2027-03-08", "2027-03-15", "Mars/Olympus").contains("Mars/Olympus"));
}

/// The dashboard lists the next releases still to go out, soonest first: none whose window has
/// begun, none cancelled, none without a window, as many as asked for.
#[test]
fn the_next_releases_to_go_out_are_listed_soonest_first() {
    use chrono::TimeZone;
    let (_dir, clock, mut relm) = relm_tests::pinned_workspace("Upcoming");
    planned(&mut relm, "1.0.0", "2027-03-09T09:00", "2027-03-09T10:00");
    let later = planned(&mut relm, "1.0.1", "2027-03-10T10:00", "2027-03-10T11:00");
    let sooner = planned(&mut relm, "1.0.2", "2027-03-10T09:00", "2027-03-10T09:30");
    let cancelled = planned(&mut relm, "1.0.3", "2027-03-11T10:00", "2027-03-11T11:00");
    relm.set_release_status(&cancelled, "cancelled", None)
        .unwrap();
    relm_tests::prod_release(&mut relm, "api", "1.0.4");
    let then = planned(&mut relm, "1.0.5", "2027-03-12T10:00", "2027-03-12T11:00");
    let last = planned(&mut relm, "1.0.6", "2027-03-13T10:00", "2027-03-13T11:00");
    clock.set(chrono::Utc.with_ymd_and_hms(2027, 3, 9, 12, 0, 0).unwrap());
    let ids = |limit| -> Vec<String> {
        relm.upcoming_releases(limit)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(ids(3), [sooner.clone(), later.clone(), then.clone()]);
    assert_eq!(ids(10), [sooner, later, then, last]);
}

/// The calendar's conflicts are kept between visits while the store is unchanged. A reader
/// (the app's pages read on their own connections) sees another connection's commit, the
/// writer sees its own writes, and a summary of a different length is computed anew: each
/// answer is what a fresh replica opened on the same file gives.
#[test]
fn kept_conflicts_follow_every_change_of_the_store() {
    let (dir, _clock, mut relm) = relm_tests::pinned_workspace("Kept conflicts");
    let open = || relm_tests::reader(dir.path());
    let total = |r: &relm_api::Relm, limit| {
        let s = r.calendar_conflict_summary(limit, None).unwrap();
        let fresh = open().calendar_conflict_summary(limit, None).unwrap();
        assert_eq!(
            s.conflicts, fresh.conflicts,
            "as a fresh replica words them"
        );
        assert_eq!((s.total, s.blocked.clone()), (fresh.total, fresh.blocked));
        (s.total, s.conflicts.len())
    };
    planned(&mut relm, "1.0.0", "2027-03-09T09:00", "2027-03-09T11:00");
    planned(&mut relm, "1.0.1", "2027-03-09T10:00", "2027-03-09T12:00");
    let reader = open();
    let (before, _) = total(&reader, 10);
    assert!(before > 0, "two releases of one service at once");
    assert_eq!(total(&reader, 10).0, before, "asked again, unchanged");

    planned(&mut relm, "1.0.2", "2027-03-09T10:30", "2027-03-09T11:30");
    let (after, shown) = total(&reader, 10);
    assert!(after > before, "the reader sees the writer's commit");
    assert_eq!(
        total(&reader, 1),
        (after, 1),
        "one worded when one is asked for"
    );
    assert_eq!(total(&reader, 10), (after, shown));

    let (own, _) = total(&relm, 10);
    assert_eq!(own, after);
    planned(&mut relm, "1.0.3", "2027-03-09T08:00", "2027-03-09T12:00");
    assert!(total(&relm, 10).0 > own, "the writer sees its own write");
    assert_eq!(total(&reader, 10).0, total(&relm, 10).0);
}
