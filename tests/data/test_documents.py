from pathlib import Path

import pytest

from stance.data.documents import DocumentError, parse_document, read_documents

GOOD = "id: 007_x\nkind: letter\nspeaker: A. B.\ncountry: Chile\ndate: 1974-05\ntopic: aid\n---\nWe thank you. We agree."


def test_parse_reads_header_and_sentences():
    doc = parse_document(GOOD, source="007_x.txt")
    assert (doc.doc_id, doc.kind, doc.country, doc.date, doc.topic) == ("007_x", "letter", "Chile", "1974-05", "aid")
    assert [s.text for s in doc.sentences] == ["We thank you.", "We agree."]


@pytest.mark.parametrize("raw, message", [
    (GOOD.replace("---\n", ""), "no '---' line"),
    (GOOD.replace("topic: aid", "topic aid"), ":6: malformed header line"),
    (GOOD.replace("topic: aid", "subject: aid"), ":6: malformed header line"),
    (GOOD.replace("topic: aid", "country: Peru"), "appears twice"),
    (GOOD.replace("topic: aid\n", ""), "header lacks topic"),
    (GOOD.replace("kind: letter", "kind: tweet"), "unknown kind 'tweet'"),
    (GOOD.replace("1974-05", "May 1974"), "is not YYYY"),
    (GOOD.split("---")[0] + "---\n  \n", "no text after"),
])
def test_malformed_headers_name_the_file_and_problem(raw, message):
    with pytest.raises(DocumentError, match=message) as error:
        parse_document(raw, source="seeds/007_x.txt")
    assert "seeds/007_x.txt" in str(error.value)


def test_duplicate_document_ids_are_refused(tmp_path: Path):
    (tmp_path / "a.txt").write_text(GOOD)
    (tmp_path / "b.txt").write_text(GOOD)
    with pytest.raises(DocumentError, match="duplicate document id '007_x'.*a.txt"):
        read_documents(tmp_path)


def test_an_empty_folder_is_refused(tmp_path: Path):
    with pytest.raises(DocumentError, match="no \\*.txt documents"):
        read_documents(tmp_path)


def test_the_sentences_command_prints_json_lines_and_names_a_bad_header(tmp_path):
    import json

    from typer.testing import CliRunner

    from stance.cli import app

    (tmp_path / "good.txt").write_text(GOOD)
    result = CliRunner().invoke(app, ["data", "sentences", str(tmp_path / "good.txt")])
    assert [json.loads(line)["text"] for line in result.stdout.splitlines()] == ["We thank you.", "We agree."]
    (tmp_path / "bad.txt").write_text(GOOD.replace("kind: letter", "kind: tweet"))
    result = CliRunner().invoke(app, ["data", "sentences", str(tmp_path / "bad.txt")])
    assert result.exit_code == 2 and "unknown kind 'tweet'" in result.output
