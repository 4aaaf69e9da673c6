"""Property test: whatever bytes land in the input folder, load_articles accounts for them."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import load_articles

VALID = {
    ".txt": b"Water law passed\n10:00 | 14.03.2023\nLawmakers approved the new water law on "
            b"Tuesday after three readings, giving councils power over irrigation quotas.\n"
            b"Follow us !\n",
    ".html": b"<html><head><title>Rain</title></head><body><article><p>Storms brought relief "
             b"to farmers across the valley on Wednesday, filling the reservoirs.</p></article>"
             b"</body></html>",
    ".jsonl": (json.dumps({"id": "1", "title": "A", "text": "Oil prices rose."}) + "\n"
               + json.dumps({"id": "2", "title": "B", "text": "Markets fell."}) + "\n").encode(),
    ".json": json.dumps([{"title": "A", "text": "Oil prices rose."}]).encode(),
    ".csv": b"title,text\nA,Oil prices rose.\nB,\"Markets, again\"\n",
    ".sgm": b'<REUTERS NEWID="5"><DATE>26-FEB-1987 15:01:01.79</DATE><TEXT><TITLE>X</TITLE>'
            b"<BODY>Cocoa rose.\n Reuter\n&#3;</BODY></TEXT></REUTERS>",
}


def _archive(kind: str) -> bytes:
    buffer = io.BytesIO()
    if kind == "zip":
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr("site/p.txt", VALID[".txt"])
            zf.writestr("site/e.jsonl", VALID[".jsonl"])
    else:
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            for name, data in (("site/p.txt", VALID[".txt"]), ("site/e.csv", VALID[".csv"])):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


VALID[".zip"] = _archive("zip")
VALID[".tar.gz"] = _archive("tar")
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1251", "cp1252", "latin-1", "cp1254", "koi8_r"]
EXTENSIONS = [*VALID, ".html.gz", ".parquet", ".md", ""]
ARCHIVES = (".zip", ".tar.gz")


@st.composite
def input_file(draw):
    ext = draw(st.sampled_from(EXTENSIONS))
    kind = draw(st.sampled_from(["random", "encoded", "truncated"]))
    if kind == "random":
        data = draw(st.binary(max_size=600))
    elif kind == "encoded":
        text = draw(st.text(max_size=300))
        data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="ignore")
    else:
        valid = VALID.get(ext.removesuffix(".gz"), VALID[".txt"])
        data = valid[: draw(st.integers(0, len(valid)))]
    if ext == ".html.gz" and draw(st.booleans()):
        data = gzip.compress(data)
    return ext, data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(input_file(), min_size=1, max_size=6))
def test_no_exception_escapes_and_every_file_is_in_the_manifest(files):
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for i, (ext, data) in enumerate(files):
            path = Path(tmp) / f"f{i}{ext}"
            path.write_bytes(data)
            names.append(str(path))
        articles, manifest = load_articles(tmp, cache=False, progress=False,
                                           return_manifest=True)
    base = manifest["path"].str.split("::").str[0].str.replace(r"(:\d+|#.*)$", "", regex=True)
    assert set(base) == set(names)
    per_file = base.value_counts()
    record_formats = (".jsonl", ".json", ".csv", ".sgm", ".parquet", *ARCHIVES)
    for name in names:
        if not name.endswith(record_formats):
            assert per_file[name] == 1, name
    assert manifest["status"].isin(["loaded", "duplicate", "rejected", "empty"]).all()
    assert manifest["path"].is_unique
    rejected = manifest[manifest["status"].isin(["rejected", "empty"])]
    assert (rejected["reason"].str.len() > 0).all()
    assert set(articles["article_id"]) == set(manifest["article_id"].dropna())
    assert articles["article_id"].is_unique
