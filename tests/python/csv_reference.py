"""Independent CSV reading and writing for tests/tests/risk_csv.rs.

`read FILE`: the records Python's `csv` module reads from FILE (UTF-8, a byte-order mark
dropped, the delimiter `csv.Sniffer` finds among `,` and `;` on the first line), as JSON:
{"records": [[cell, ...], ...]} or {"error": "..."}.

`write DIR`: risk registers written as spreadsheet users' tools write them: Python's `csv`
module (the `excel` dialect; `;` with a byte-order mark as Excel writes in French locales; the
`unix` dialect, every cell quoted, LF) and pandas' `DataFrame.to_csv` (its defaults; `;`, a
byte-order mark and CRLF). DIR/expected.json holds the rows every file carries.
"""

import csv
import json
import os
import sys

import pandas as pd

COLUMNS = [
    "title",
    "description",
    "category",
    "likelihood",
    "impact",
    "owner",
    "services",
    "review_by",
    "mitigations",
]

ROWS = [
    {
        "title": "Single card processor: an outage stops every payment",
        "description": 'The "only" processor, PayCo; no fallback, no queue.',
        "category": "operational",
        "likelihood": "3",
        "impact": "5",
        "owner": "ada@acme.example",
        "services": "payments-api, checkout-web",
        "review_by": "2099-01-31",
        "mitigations": "[x] due:2099-01-15 Runbook and alerting\n[ ] Rehearse the fallback in staging",
    },
    {
        "title": "Données clients exportées sans chiffrement",
        "description": "Première ligne\nDeuxième ligne ; avec point-virgule, et virgule",
        "category": "security",
        "likelihood": "2",
        "impact": "4",
        "owner": "ada@acme.example",
        "services": "ledger",
        "review_by": "",
        "mitigations": "",
    },
    {
        "title": "=1+1 looks like a formula",
        "description": "",
        "category": "business",
        "likelihood": "1",
        "impact": "1",
        "owner": "",
        "services": "",
        "review_by": "",
        "mitigations": "",
    },
]


def read(path):
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            text = f.read()
    except UnicodeDecodeError as e:
        return {"error": str(e)}
    first = text.split("\n", 1)[0]
    try:
        dialect = csv.Sniffer().sniff(first, delimiters=",;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        rows = list(csv.reader(text.splitlines(keepends=True), delimiter=delimiter))
    except csv.Error as e:
        return {"error": str(e)}
    return {"records": rows}


def write(out):
    os.makedirs(out, exist_ok=True)
    cells = [[r[c] for c in COLUMNS] for r in ROWS]

    def with_csv(name, encoding, **fmt):
        with open(os.path.join(out, name), "w", encoding=encoding, newline="") as f:
            w = csv.writer(f, **fmt)
            w.writerow(COLUMNS)
            w.writerows(cells)

    with_csv("python-csv-excel.csv", "utf-8", dialect="excel")
    with_csv("python-csv-excel-fr.csv", "utf-8-sig", dialect="excel", delimiter=";")
    with_csv("python-csv-unix.csv", "utf-8", dialect="unix")
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    frame.to_csv(os.path.join(out, "pandas-default.csv"), index=False)
    frame.to_csv(
        os.path.join(out, "pandas-excel-fr.csv"),
        index=False,
        sep=";",
        encoding="utf-8-sig",
        lineterminator="\r\n",
    )
    with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(ROWS, f, ensure_ascii=False)


if __name__ == "__main__":
    if sys.argv[1] == "read":
        print(json.dumps(read(sys.argv[2]), ensure_ascii=False))
    else:
        write(sys.argv[2])
