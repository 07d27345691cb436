"""The review pages over plain HTTP against a real server process: signing in, what is refused,
what a supervisor may see, and what the audit log keeps."""

from __future__ import annotations

import json
import re
from pathlib import Path

from forms.store import Store
from sync import client
from tests import factories as fx
from tests.sync.conftest import Server
from tests.web.conftest import (
    PASSWORD,
    Browser,
    add_supervisor,
    audit_entries,
    form_value,
    laptop,
    query,
    review_state,
    send,
    with_warning,
)


def signed_in(server: Server, username: str = "hoa", communes: str = "14797") -> Browser:
    browser = Browser(server)
    r = browser.activate(username, add_supervisor(server, username, communes))
    assert r.status_code == 303 and r.headers["location"] == "/review/", r.text
    return browser


def test_a_supervisor_sets_a_password_with_the_code_and_signs_in_with_it_daily(tmp_path: Path, server: Server) -> None:
    code = add_supervisor(server, "hoa")
    b = Browser(server)
    r = b.get("/review/")
    assert r.status_code == 303 and r.headers["location"] == "/review/login?next=%2Freview%2F"

    assert b.activate("hoa", code, "ngắn").status_code == 400  # too short: the code is not used up
    r = b.activate("hoa", code, again="something else entirely")
    assert r.status_code == 400 and "Hai lần nhập mật khẩu mới không giống nhau." in r.text
    r = b.activate("hoa", code)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert re.search(r"ls_review_session=[^;]+; HttpOnly; Path=/review; SameSite=strict", cookie), cookie
    assert "Secure" not in cookie  # plain HTTP on 127.0.0.1 here; over HTTPS the cookie is Secure
    page = b.get("/review/")
    assert page.status_code == 200 and "<h1>Hộ đã nhận</h1>" in page.text
    assert page.headers["cache-control"] == "no-store" and "frame-ancestors 'none'" in page.headers["content-security-policy"]

    again = Browser(server).activate("hoa", code, "một mật khẩu khác hẳn")
    assert again.status_code == 400 and "Mã không đúng, đã dùng hoặc đã hết hạn" in again.text  # one use only

    r = b.post("/review/logout", {"csrf": b.csrf()})
    assert r.status_code == 303 and r.headers["location"] == "/review/login?bye=1"
    assert b.get("/review/").status_code == 303
    r = b.sign_in("hoa")
    assert r.status_code == 303 and b.get("/review/").status_code == 200

    # Only hashes are stored: neither the password nor the cookie is in the database.
    token = b.http.cookies.get("ls_review_session", path="/review")
    (stored,) = query(server, "SELECT password_hash FROM supervisor_passwords")
    assert stored[0].startswith("scrypt$") and PASSWORD not in stored[0]
    hashes = [r[0] for r in query(server, "SELECT token_hash FROM web_sessions")]
    assert token and token not in hashes and len(hashes) == 1  # the signed-out session is gone

    # A forgotten password: a new code from the administrator sets a new one and ends the old sessions.
    code2 = re.search(r"[A-Z0-9]{5}-[A-Z0-9]{5}", server.admin("officers", "code", "hoa").stdout).group(0)  # type: ignore[union-attr]
    assert Browser(server).activate("hoa", code2, "mật khẩu mới cũng đủ dài").status_code == 303
    assert b.get("/review/").status_code == 303  # the old session ended
    assert b.sign_in("hoa").status_code == 401
    assert b.sign_in("hoa", "mật khẩu mới cũng đủ dài").status_code == 303


def test_over_https_the_session_cookie_is_secure(https_server: tuple[Server, Path]) -> None:
    server, ca_file = https_server
    b = Browser(server, ca_file)
    r = b.activate("hoa", add_supervisor(server, "hoa"))
    assert r.status_code == 303
    assert re.search(r"ls_review_session=[^;]+; HttpOnly; Path=/review; SameSite=strict; Secure", r.headers["set-cookie"])
    assert b.get("/review/").status_code == 200


def test_a_wrong_password_is_refused_and_says_nothing_more(tmp_path: Path, server: Server) -> None:
    signed_in(server, "hoa")
    b = Browser(server)
    wrong = b.sign_in("hoa", "not the password")
    unknown = b.sign_in("nobody", "not the password")
    for r in (wrong, unknown):
        assert r.status_code == 401
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in r.text
        assert "ls_review_session" not in r.headers.get("set-cookie", "")
    # The same page whether the name exists or not (the name typed is kept in the form).
    assert wrong.text.replace('value="hoa"', "") == unknown.text.replace('value="nobody"', "")
    assert b.get("/review/").status_code == 303

    for _ in range(9):  # ten failures in all lock the name for a while, even with the right password
        assert b.sign_in("hoa", "guess").status_code == 401
    locked = b.sign_in("hoa")
    assert locked.status_code == 429 and "Thử quá nhiều lần. Hãy thử lại sau 15 phút." in locked.text
    assert "ls_review_session" not in locked.headers.get("set-cookie", "")
    refused = audit_entries(server, "review sign-in refused")
    assert len([e for e in refused if e["target"] == "hoa"]) == 10 and refused[0]["address"] == "127.0.0.1"
    # The try refused unchecked is logged apart, and not counted: trying on does not put the end further off.
    assert [e["target"] for e in audit_entries(server, "review sign-in delayed")] == ["hoa"]
    assert Browser(server).sign_in("nobody", PASSWORD).status_code == 401  # other names are not locked with it


def test_forms_without_their_token_are_refused(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    (uuid,) = send(store, fx.household())
    b = signed_in(server)
    page = b.get(f"/review/households/{uuid}").text
    revision = form_value(page, "revision")
    for data in ({"revision": revision}, {"revision": revision, "csrf": "forged"}):
        r = b.post(f"/review/households/{uuid}/approve", data)
        assert r.status_code == 403 and "Biểu mẫu đã hết hạn hoặc không hợp lệ." in r.text
        r = b.post(f"/review/households/{uuid}/return", {**data, "comment": "Sai"})
        assert r.status_code == 403
    assert review_state(server, uuid) == (None, 0, 1)
    # Another supervisor's token does not do either.
    other = signed_in(server, "mai")
    r = b.post(f"/review/households/{uuid}/approve", {"revision": revision, "csrf": other.csrf()})
    assert r.status_code == 403 and review_state(server, uuid) == (None, 0, 1)
    # Nor does signing in without the form's token (a login made by another site's page).
    r = Browser(server).post("/review/login", {"username": "hoa", "password": PASSWORD})
    assert r.status_code == 403 and "ls_review_session" not in r.headers.get("set-cookie", "")
    r = b.post("/review/logout", {})
    assert r.status_code == 403 and b.get("/review/").status_code == 200  # still signed in

    r = b.post(f"/review/households/{uuid}/approve", {"revision": revision, "csrf": b.csrf()})
    assert r.status_code == 303 and review_state(server, uuid)[0] == "approved"


def test_a_supervisor_sees_only_the_households_of_their_communes(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    mine, theirs = send(store, fx.household(household_code="HT-MINE"),
                        fx.household(household_code="HR-THEIRS", commune_code="14758"))
    b = signed_in(server, "hoa", "14797")
    page = b.get("/review/").text
    assert "HT-MINE" in page and "HR-THEIRS" not in page
    assert "HR-THEIRS" not in b.get("/review/?commune=14758").text  # a commune not theirs is ignored

    missing = b.get("/review/households/00000000-0000-4000-8000-000000000000")
    other = b.get(f"/review/households/{theirs}")
    assert missing.status_code == other.status_code == 404
    assert "Không có hộ này trong các xã bạn phụ trách." in other.text and "HR-THEIRS" not in other.text
    csrf = b.csrf()
    r = b.post(f"/review/households/{theirs}/return", {"csrf": csrf, "revision": "1", "comment": "Sai"})
    assert r.status_code == 404 and review_state(server, theirs) == (None, 0, 1)
    assert b.get(f"/review/households/{mine}").status_code == 200
    assert [e["target"] for e in audit_entries(server, "review view refused")] == [
        "00000000-0000-4000-8000-000000000000", theirs, theirs]

    both = signed_in(server, "tuan", "14797,14758")
    assert "HR-THEIRS" in both.get("/review/?commune=14758").text and "HT-MINE" not in both.get("/review/?commune=14758").text


def test_a_revoked_supervisor_is_signed_out_at_once(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    (uuid,) = send(store, fx.household())
    b = signed_in(server)
    page = b.get(f"/review/households/{uuid}").text
    csrf, revision = form_value(page, "csrf"), form_value(page, "revision")
    assert server.admin("officers", "revoke", "hoa").returncode == 0
    r = b.get("/review/")
    assert r.status_code == 303 and r.headers["location"].startswith("/review/login")
    r = b.post(f"/review/households/{uuid}/approve", {"csrf": csrf, "revision": revision})
    assert r.status_code == 303 and r.headers["location"].startswith("/review/login")
    assert review_state(server, uuid) == (None, 0, 1)
    assert b.sign_in("hoa").status_code == 401


def test_an_officer_cannot_use_the_review_pages(tmp_path: Path, server: Server) -> None:
    code = server.add_officer("lan", "14797")
    b = Browser(server)
    r = b.activate("lan", code)
    assert r.status_code == 400 and "ls_review_session" not in r.headers.get("set-cookie", "")
    assert b.sign_in("lan").status_code == 401
    assert b.get("/review/").status_code == 303
    store = Store(tmp_path / "lan.sqlite")  # the laptop code was not used up by the try
    client.enroll(store, server.url, code, "laptop-lan")
    assert store.get_setting("sync.token")


def test_the_list_filters_pages_and_speaks_english_on_request(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    records = fx.generated(55, seed=3)
    records[10] = with_warning(records[10]["household"]["household_code"])
    uuids = send(store, *records)
    b = signed_in(server)
    first = b.get("/review/").text
    assert first.count('<tr class="state-new"') == 50 and "Trang 1/2 · 55 hộ" in first
    second = b.get("/review/?page=2").text
    assert second.count('<tr class="state-new"') == 5 and 'rel="prev"' in second
    warned = b.get("/review/?warnings=1").text
    assert warned.count("<tr class=") == 1 and uuids[10] in warned

    page = b.get(f"/review/households/{uuids[0]}").text
    csrf, revision = form_value(page, "csrf"), form_value(page, "revision")
    r = b.post(f"/review/households/{uuids[0]}/return", {"csrf": csrf, "revision": revision, "comment": "",
                                                         "c:members[0].full_name": ""})
    assert r.status_code == 400 and "Hãy ghi điều cần sửa" in r.text and review_state(server, uuids[0])[0] is None
    r = b.post(f"/review/households/{uuids[0]}/return", {"csrf": csrf, "revision": revision,
                                                         "c:members[0].full_name": "Viết đủ họ tên"})
    assert r.status_code == 303 and review_state(server, uuids[0]) == ("returned", 1, 2)
    returned = b.get("/review/?state=returned").text
    assert returned.count("<tr class=") == 1 and uuids[0] in returned
    # An old page's form (the household has changed since) is refused, not applied blindly.
    r = b.post(f"/review/households/{uuids[0]}/return", {"csrf": csrf, "revision": revision, "comment": "Lần nữa"})
    assert r.status_code == 409 and review_state(server, uuids[0]) == ("returned", 1, 2)

    r = b.get("/review/lang/en?next=/review/%3Fstate%3Dreturned")
    assert r.status_code == 303 and r.headers["location"] == "/review/?state=returned"
    english = b.get("/review/?state=returned").text
    assert "<h1>Households received</h1>" in english and ">Returned</span>" in english
    assert b.get("/review/lang/vi?next=https://example.org/").headers["location"] == "/review/"  # never elsewhere

    views = audit_entries(server, "review view")
    # Read twice: opened, then shown again with the refusal of an empty return.
    assert [e["target"] for e in views] == [uuids[0]] * 2 and views[0]["actor"] == "hoa" and views[0]["address"] == "127.0.0.1"
    returns = audit_entries(server, "return")
    assert [e["target"] for e in returns] == [uuids[0]] and returns[0]["detail"]["fields"] == ["members[0].full_name"]
    logged = json.dumps([e["detail"] for e in views + returns + audit_entries(server, "review list")], ensure_ascii=False)
    assert "Viết đủ họ tên" not in logged and records[0]["members"][0]["full_name"] not in logged  # no answers, no comments
