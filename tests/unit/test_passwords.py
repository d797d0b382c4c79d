from bbt_workflow.domain.passwords import password_problems


def test_good_password_has_no_problem():
    assert password_problems("Nhuanbut-2026", min_length=10, username="ctv") == []


def test_each_rule_reports_its_code():
    assert "too_short" in password_problems("ab1", min_length=10)
    assert "no_digit" in password_problems("chiconchudaiqua", min_length=10)
    assert "no_letter" in password_problems("1234567890123", min_length=10)
    assert "too_common" in password_problems("password123", min_length=10)
    assert "contains_username" in password_problems("bientap-2026-x", min_length=10, username="BienTap")
    assert "too_long" in password_problems("a1" * 70, min_length=10)


def test_vietnamese_letters_count_as_letters():
    assert password_problems("mậtkhẩu2026", min_length=10) == []
