//! Pagination by the `Link` header (RFC 8288), never by computed page URLs.
//!
//! GitHub and GitLab both answer a list with `Link: <https://…?page=2>; rel="next", …`. The
//! next page is followed only when it is on the connector's API origin (scheme, host and port):
//! a link elsewhere is an error naming it, and the token is never sent there.

use url::Url;

/// One link of a `Link` header: its target and its relation types (lower case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub target: String,
    pub rels: Vec<String>,
}

/// Why a `Link` header was not followed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error(
        "the `Link` header is malformed ({0}); the platform answered something that is not RFC 8288"
    )]
    Malformed(String),
    #[error("the next page is at {0}, not a URL")]
    NotAUrl(String),
    #[error(
        "the next page is at {found}, outside the connector's API ({api}); it is not followed and the token is not sent there"
    )]
    OffOrigin { found: String, api: String },
}

/// The links of a `Link` header value, in order.
pub fn parse(header: &str) -> Result<Vec<Link>, LinkError> {
    let mut out = Vec::new();
    let mut rest = header.trim();
    while !rest.is_empty() {
        let Some(after) = rest.strip_prefix('<') else {
            return Err(LinkError::Malformed(format!(
                "expected `<` at `{}`",
                cut(rest)
            )));
        };
        let Some(close) = after.find('>') else {
            return Err(LinkError::Malformed("a `<` is never closed".into()));
        };
        let target = after[..close].trim().to_string();
        rest = &after[close + 1..];
        let mut rels = Vec::new();
        // Parameters up to the next link (a comma outside quotes).
        loop {
            rest = rest.trim_start();
            if let Some(r) = rest.strip_prefix(',') {
                rest = r.trim_start();
                break;
            }
            if rest.is_empty() {
                break;
            }
            let Some(r) = rest.strip_prefix(';') else {
                return Err(LinkError::Malformed(format!(
                    "expected `;` or `,` at `{}`",
                    cut(rest)
                )));
            };
            let r = r.trim_start();
            let name_end = r
                .find(|c: char| c == '=' || c == ';' || c == ',' || c.is_whitespace())
                .unwrap_or(r.len());
            let name = r[..name_end].to_ascii_lowercase();
            let mut r = r[name_end..].trim_start();
            let mut value = String::new();
            if let Some(v) = r.strip_prefix('=') {
                let v = v.trim_start();
                if let Some(q) = v.strip_prefix('"') {
                    let mut chars = q.char_indices();
                    let mut end = None;
                    while let Some((i, c)) = chars.next() {
                        match c {
                            '\\' => {
                                if let Some((_, e)) = chars.next() {
                                    value.push(e);
                                }
                            }
                            '"' => {
                                end = Some(i);
                                break;
                            }
                            c => value.push(c),
                        }
                    }
                    let Some(end) = end else {
                        return Err(LinkError::Malformed(
                            "a quoted value is never closed".into(),
                        ));
                    };
                    r = &q[end + 1..];
                } else {
                    let end = v.find([';', ',']).unwrap_or(v.len());
                    value = v[..end].trim().to_string();
                    r = &v[end..];
                }
            }
            if name == "rel" {
                rels.extend(value.split_whitespace().map(str::to_ascii_lowercase));
            }
            rest = r;
        }
        out.push(Link { target, rels });
    }
    Ok(out)
}

/// The `rel="next"` target of `header`, resolved against `current` (the page just read), if
/// any; refused when it is not on `api`'s origin.
pub fn next_page(header: &str, current: &Url, api: &Url) -> Result<Option<Url>, LinkError> {
    let Some(next) = parse(header)?
        .into_iter()
        .find(|l| l.rels.iter().any(|r| r == "next"))
    else {
        return Ok(None);
    };
    let url = current
        .join(&next.target)
        .map_err(|_| LinkError::NotAUrl(cut(&next.target)))?;
    same_origin(&url, api)?;
    Ok(Some(url))
}

/// `url` is on `api`'s origin (scheme, host, port), else the error naming it.
pub fn same_origin(url: &Url, api: &Url) -> Result<(), LinkError> {
    if url.origin() == api.origin() && url.username().is_empty() && url.password().is_none() {
        Ok(())
    } else {
        Err(LinkError::OffOrigin {
            found: cut(url.as_str()),
            api: api.origin().ascii_serialization(),
        })
    }
}

/// Outside text in a message, bounded.
fn cut(s: &str) -> String {
    let mut out: String = s.chars().take(200).filter(|c| !c.is_control()).collect();
    if s.chars().count() > 200 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn api() -> Url {
        Url::parse("https://api.github.com").unwrap()
    }

    #[test]
    fn github_and_gitlab_headers_give_their_next_page() {
        // As GitHub documents it ("Using pagination in the REST API").
        let gh = r#"<https://api.github.com/repositories/1300192/issues?page=2>; rel="prev", <https://api.github.com/repositories/1300192/issues?page=4>; rel="next", <https://api.github.com/repositories/1300192/issues?page=515>; rel="last", <https://api.github.com/repositories/1300192/issues?page=1>; rel="first""#;
        let page = Url::parse("https://api.github.com/repositories/1300192/issues?page=3").unwrap();
        assert_eq!(
            next_page(gh, &page, &api()).unwrap().unwrap().as_str(),
            "https://api.github.com/repositories/1300192/issues?page=4"
        );
        // As GitLab documents it (REST API, "Pagination Link header").
        let gl = r#"<https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=1&per_page=3>; rel="prev", <https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=3&per_page=3>; rel="next", <https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=1&per_page=3>; rel="first", <https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=3&per_page=3>; rel="last""#;
        let glapi = Url::parse("https://gitlab.example.com/api/v4").unwrap();
        assert!(
            next_page(gl, &glapi, &glapi)
                .unwrap()
                .unwrap()
                .as_str()
                .ends_with("page=3&per_page=3")
        );
        // The last page has no next.
        let last = r#"<https://api.github.com/x?page=1>; rel="first", <https://api.github.com/x?page=2>; rel="prev""#;
        assert_eq!(next_page(last, &page, &api()).unwrap(), None);
        assert_eq!(next_page("", &page, &api()).unwrap(), None);
    }

    #[test]
    fn relations_are_case_insensitive_and_may_be_several_or_unquoted() {
        let h = "<https://api.github.com/a?page=2>; REL=\"Next Last\"; title=\"x, y\"";
        let links = parse(h).unwrap();
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].rels, ["next", "last"]);
        let h = "</a?page=9>; rel=next";
        let page = Url::parse("https://api.github.com/a?page=8").unwrap();
        assert_eq!(
            next_page(h, &page, &api()).unwrap().unwrap().as_str(),
            "https://api.github.com/a?page=9"
        );
    }

    #[test]
    fn a_next_page_on_another_origin_is_refused_and_named() {
        let page = Url::parse("https://api.github.com/x?page=1").unwrap();
        for target in [
            "https://evil.example/x?page=2",
            "http://api.github.com/x?page=2",
            "https://api.github.com:8443/x?page=2",
            "https://token@api.github.com/x?page=2",
            "//evil.example/x",
        ] {
            let h = format!("<{target}>; rel=\"next\"");
            match next_page(&h, &page, &api()) {
                Err(LinkError::OffOrigin { found, api }) => {
                    assert!(
                        !found.is_empty() && api == "https://api.github.com",
                        "{found}"
                    );
                }
                other => panic!("{target}: {other:?}"),
            }
        }
    }

    #[test]
    fn malformed_headers_are_refused_with_the_reason() {
        for bad in [
            "https://api.github.com/x; rel=next",
            "<https://api.github.com/x; rel=next",
            "<https://api.github.com/x> rel=next",
            "<https://api.github.com/x>; rel=\"next",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(matches!(e, LinkError::Malformed(_)), "{bad}: {e}");
            assert!(e.to_string().contains("RFC 8288"));
        }
        let page = Url::parse("https://api.github.com/x").unwrap();
        assert!(matches!(
            next_page("<http://[::1>; rel=next", &page, &api()),
            Err(LinkError::NotAUrl(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_is_refused_without_panicking(s in "\\PC{0,200}") {
            let _ = parse(&s);
        }

        #[test]
        fn written_links_read_back(pages in proptest::collection::vec(1u32..100_000, 1..6)) {
            let header = pages
                .iter()
                .enumerate()
                .map(|(i, p)| format!("<https://api.github.com/x?page={p}>; rel=\"{}\"", if i == 0 { "next" } else { "last" }))
                .collect::<Vec<_>>()
                .join(", ");
            let links = parse(&header).unwrap();
            proptest::prop_assert_eq!(links.len(), pages.len());
            let page = Url::parse("https://api.github.com/x").unwrap();
            let next = next_page(&header, &page, &api()).unwrap().unwrap();
            proptest::prop_assert_eq!(next.as_str().to_string(), format!("https://api.github.com/x?page={}", pages[0]));
        }
    }
}
