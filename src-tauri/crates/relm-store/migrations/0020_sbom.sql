-- What a release's components contain, from their software bills of materials
-- (`sbom.attached`): the document in force per component, and its packages. Attaching again
-- replaces a component's rows.
CREATE TABLE sbom_documents (
    release_id   TEXT    NOT NULL,
    component    TEXT    NOT NULL,
    format       TEXT    NOT NULL,
    spec_version TEXT    NOT NULL,
    digest       TEXT    NOT NULL,
    tool         TEXT,
    packages     INTEGER NOT NULL,
    event_id     TEXT    NOT NULL,
    at_hlc       INTEGER NOT NULL,
    by_key       TEXT    NOT NULL,
    PRIMARY KEY (release_id, component)
) STRICT, WITHOUT ROWID;

CREATE TABLE sbom_packages (
    release_id TEXT    NOT NULL,
    component  TEXT    NOT NULL,
    ord        INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    version    TEXT,
    purl       TEXT,
    -- JSON array of licence expressions.
    licenses   TEXT    NOT NULL DEFAULT '[]',
    PRIMARY KEY (release_id, component, ord)
) STRICT, WITHOUT ROWID;

-- `relm sbom where NAME [--version V]`: which releases ship a package.
CREATE INDEX sbom_packages_by_name ON sbom_packages (name COLLATE NOCASE, version, release_id);
