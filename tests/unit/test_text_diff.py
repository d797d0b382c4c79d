from bbt_workflow.domain.text_diff import word_diff


def test_word_level_changes():
    ops = word_diff("Hội nghị tổng kết năm 2025", "Hội nghị sơ kết năm 2026")
    assert ("delete", "tổng") in ops and ("insert", "sơ") in ops
    assert ("delete", "2025") in ops and ("insert", "2026") in ops


def test_round_trip():
    old, new = "a b c d e", "a x c d e f"
    ops = word_diff(old, new)
    assert "".join(t for op, t in ops if op != "insert") == old
    assert "".join(t for op, t in ops if op != "delete") == new


def test_identical_and_empty():
    assert word_diff("", "") == []
    assert word_diff("giống nhau", "giống nhau") == [("equal", "giống nhau")]
