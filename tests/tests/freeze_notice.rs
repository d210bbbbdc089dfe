//! The freezes the app announces: those starting within the next hour, each occurrence once
//! per start, with its local time.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use chrono::{TimeZone, Utc};
use relm_api::calendar::CalendarInput;
use relm_api::workspace::{InitRequest, init};
use relm_api::{KeyringChoice, Options};
use relm_domain::clock::FixedClock;
use relm_identity::keyring::MemoryKeyStore;
use std::sync::Arc;

#[test]
fn freezes_starting_within_the_hour() {
    let root = tempfile::tempdir().unwrap();
    // Friday 2027-03-19 16:30 UTC = 17:30 in Paris, half an hour before the weekend freeze.
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2027, 3, 19, 16, 30, 0).unwrap(),
    ));
    let opts = Options {
        data_dir: root.path().join("a"),
        clock: clock.clone(),
        keyring: KeyringChoice::Given(Arc::new(MemoryKeyStore::default())),
    };
    let req = InitRequest {
        workspace: "W".into(),
        name: "Ann".into(),
        email: "ann@example.com".into(),
    };
    let (mut relm, _) = init(&opts, &req).unwrap();
    let add = |kind: &str, name: &str, start: &str, end: &str, rrule: Option<&str>| CalendarInput {
        kind: Some(kind.into()),
        name: Some(name.into()),
        start: Some(start.into()),
        end: Some(end.into()),
        tz: Some("Europe/Paris".into()),
        rrule: rrule.map(String::from),
        ..CalendarInput::default()
    };
    relm.add_calendar_entry(&add(
        "freeze",
        "Weekend freeze",
        "2027-03-05T18:00",
        "2027-03-08T06:00",
        Some("FREQ=WEEKLY;BYDAY=FR"),
    ))
    .unwrap();
    relm.add_calendar_entry(&add(
        "freeze",
        "Later freeze",
        "2027-03-19T20:00",
        "2027-03-19T22:00",
        None,
    ))
    .unwrap();
    relm.add_calendar_entry(&add(
        "window",
        "Window now",
        "2027-03-19T17:45",
        "2027-03-19T19:00",
        None,
    ))
    .unwrap();
    relm.add_calendar_entry(&add(
        "freeze",
        "Already running",
        "2027-03-19T12:00",
        "2027-03-19T23:00",
        None,
    ))
    .unwrap();
    let soon = relm.freezes_starting(60).unwrap();
    let names: Vec<(&str, &str)> = soon
        .iter()
        .map(|o| (o.name.as_str(), o.start_local.as_str()))
        .collect();
    assert_eq!(
        names,
        [("Weekend freeze", "2027-03-19T18:00")],
        "windows, running and later freezes are not announced"
    );
    // An hour later the freeze has started: nothing more to announce.
    clock.set(Utc.with_ymd_and_hms(2027, 3, 19, 17, 30, 0).unwrap());
    assert!(
        relm.freezes_starting(60)
            .unwrap()
            .iter()
            .all(|o| o.name != "Weekend freeze")
    );
}
