"""The whole review loop in a real browser (Debian's chromium, driven by Selenium), with a real
server process and a real officer's laptop store: received, returned with comments, corrected
on the laptop, resubmitted, approved."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync import client
from tests import factories as fx
from tests.sync.conftest import Server, server_database
from tests.web.conftest import PASSWORD, add_supervisor, laptop, send, with_warning

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SHOTS = Path(os.environ.get("LABOUR_SURVEY_SCREENSHOTS", "/tmp"))

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[Server]:
    with server_database("sqlite", tmp_path) as url:
        s = Server(url, tmp_path)
        s.start()
        yield s
        s.stop()


@pytest.fixture
def chrome(tmp_path: Path) -> Iterator[WebDriver]:
    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                "--window-size=1366,900", "--lang=vi", f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(arg)
    # The driver is named explicitly, so Selenium Manager never looks for (or downloads) one.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def screenshot(driver: WebDriver, name: str) -> None:
    """The whole page, not only the window: the window is made as tall as the page first."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1366, max(900, min(int(height), 8000)))
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"review-{name}.png"))
    driver.set_window_size(1366, 900)


def go(driver: WebDriver, element: WebElement) -> None:
    """Click a link or a submit button and wait for the page it leads to."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 20).until(lambda _d: _gone(old))
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _gone(old: WebElement) -> bool:
    """Whether the page an element was on has been replaced. Chromedriver says so with a stale
    element error, or, when asked while the old page is being torn down, with an "inspector
    error" that the node no longer belongs to the document (seen under load in CI)."""
    try:
        old.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        if "does not belong to the document" in str(exc):
            return True
        raise
    return False


def row_of(driver: WebDriver, code: str) -> dict[str, str]:
    """The list's row of a household code, as {column header: text}."""
    headers = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "table.households thead th")]
    for tr in driver.find_elements(By.CSS_SELECTOR, "table.households tbody tr"):
        cells = [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        if cells and cells[0] == code:
            return dict(zip(headers, cells))
    raise AssertionError(f"{code} is not in the list: {driver.find_element(By.TAG_NAME, 'main').text}")


def answer(driver: WebDriver, ref: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, f'.answer[data-ref="{ref}"]').text


def test_a_supervisor_returns_a_household_in_the_browser_and_approves_it_once_corrected(
        tmp_path: Path, sqlite_server: Server, chrome: WebDriver) -> None:
    server, driver = sqlite_server, chrome
    code = add_supervisor(server, "hoa", "14797,14758")
    store = laptop(tmp_path, server)
    uuid, other = send(store, with_warning("HT-0001"), fx.generated(1, seed=7)[0])

    # First visit: the code from the administrator sets a password.
    driver.get(f"{server.url}/review/")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Đăng nhập giám sát viên"
    screenshot(driver, "login")
    go(driver, driver.find_element(By.LINK_TEXT, "Đặt mật khẩu bằng mã"))
    for name, value in (("username", "hoa"), ("code", code), ("password", PASSWORD), ("again", PASSWORD)):
        driver.find_element(By.NAME, name).send_keys(value)
    go(driver, driver.find_element(By.CSS_SELECTOR, "button[type=submit].primary"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Hộ đã nhận", driver.find_element(By.TAG_NAME, "main").text
    # Daily use: username and password.
    go(driver, driver.find_element(By.CSS_SELECTOR, ".who button"))
    assert "Bạn đã đăng xuất." in driver.find_element(By.TAG_NAME, "main").text
    driver.find_element(By.NAME, "username").send_keys("hoa")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    go(driver, driver.find_element(By.CSS_SELECTOR, "button[type=submit].primary"))

    # The list: both households, the one with a warning counted.
    assert driver.find_element(By.TAG_NAME, "h1").text == "Hộ đã nhận"
    row = row_of(driver, "HT-0001")
    assert row["Chủ hộ"] == "Đặng Văn Hùng" and row["Xã, phường"] == "Phường Hạc Thành"
    assert row["Thôn, bản, tổ dân phố"] == "Tổ dân phố Đông Sơn"
    assert (row["Số người"], row["Cảnh báo"], row["Trạng thái"]) == ("5", "1", "Mới")
    assert row_of(driver, "HT-000001")["Cảnh báo"] == "0"
    screenshot(driver, "list")
    driver.find_element(By.CSS_SELECTOR, "input[name=warnings]").click()
    go(driver, driver.find_element(By.CSS_SELECTOR, ".filters button"))
    codes = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "table.households tbody td:first-child a")]
    assert codes == ["HT-0001"]

    # The household: the warning beside its question, labels in Vietnamese.
    go(driver, driver.find_element(By.LINK_TEXT, "HT-0001"))
    assert "Đặng Văn Hùng" in driver.find_element(By.TAG_NAME, "h1").text
    priority = answer(driver, "members[2].priority_groups")
    assert "Đối tượng ưu tiên" in priority and "Thuộc hộ nghèo" in priority
    assert 'Cảnh báo: Đánh dấu "thuộc hộ nghèo" nhưng hộ không phải hộ nghèo.' in priority
    assert "Tốt nghiệp THPT" in answer(driver, "members[2].general_education")
    assert "Phường Hạc Thành" in answer(driver, "commune_code")
    warnings = driver.find_element(By.ID, "problems")
    assert warnings.find_element(By.TAG_NAME, "h2").text == "Cảnh báo (1)"
    assert "Thành viên 3 (Đặng Minh Đức) · Đối tượng ưu tiên" in warnings.text
    screenshot(driver, "household")

    # Return it: a comment for the household and one on a member's question.
    field = driver.find_element(By.CSS_SELECTOR, '.answer[data-ref="members[2].general_education"]')
    field.find_element(By.TAG_NAME, "summary").click()
    field.find_element(By.TAG_NAME, "textarea").send_keys("Đã tốt nghiệp THPT thật chưa?")
    driver.find_element(By.CSS_SELECTOR, "#return-form textarea[name=comment]").send_keys("Kiểm tra lại trình độ của con trai")
    go(driver, driver.find_element(By.ID, "return"))
    assert driver.find_element(By.ID, "state").text == "Đã trả lại"
    assert "Đã trả lại hộ này." in driver.find_element(By.CSS_SELECTOR, ".banner.ok").text
    assert "Ghi chú của giám sát: Đã tốt nghiệp THPT thật chưa?" in answer(driver, "members[2].general_education")
    assert not driver.find_elements(By.ID, "approve")  # waiting for the officer

    # The officer's laptop gets it at the next sync, the comment on that question.
    assert client.SyncClient(store, actor="lan").sync().returned == 1
    h = store.get(uuid)
    assert h.status == "returned"
    note = json.loads(h.server_note)
    assert note["message"]["vi"] == "Kiểm tra lại trình độ của con trai"
    assert {"field": "members[2].general_education", "severity": "comment", "vi": "Đã tốt nghiệp THPT thật chưa?",
            "en": "Đã tốt nghiệp THPT thật chưa?"} in note["findings"]
    rec = h.record
    rec["members"][2]["general_education"] = "3"  # lower secondary after all
    del rec["members"][2]["priority_groups"]
    store.save(rec, actor="lan")
    store.complete(uuid, actor="lan", accept_warnings=True)
    assert client.SyncClient(store, actor="lan").sync().accepted == 1

    # Back in the browser: resubmitted, with the new value, what it was, and both rounds.
    driver.refresh()
    assert driver.find_element(By.ID, "state").text == "Đã gửi lại"
    education = answer(driver, "members[2].general_education")
    assert "Tốt nghiệp THCS" in education and "Trước khi trả lại: 4 Tốt nghiệp THPT" in education
    assert "Cảnh báo" not in answer(driver, "members[2].priority_groups")
    assert driver.find_element(By.CSS_SELECTOR, "#problems h2").text == "Cảnh báo (0)"
    assert not driver.find_elements(By.CSS_SELECTOR, ".banner.ok")  # "returned" was news then, not now
    changes = driver.find_element(By.ID, "changes").text
    assert "Thành viên 3 (Đặng Minh Đức) · Trình độ giáo dục phổ thông cao nhất" in changes
    assert "Thành viên 3 (Đặng Minh Đức) · Đối tượng ưu tiên" in changes
    history = driver.find_elements(By.CSS_SELECTOR, "#history tbody tr")
    assert [tr.find_elements(By.TAG_NAME, "td")[1].text for tr in history] == ["Trả lại để sửa", "Cán bộ gửi lại"]
    assert "Giám sát Hoa (hoa)" in history[0].text and "Kiểm tra lại trình độ của con trai" in history[0].text
    assert "Thành viên 3 (Đặng Minh Đức) · Trình độ giáo dục phổ thông cao nhất: Đã tốt nghiệp THPT thật chưa?" in history[0].text
    assert "lan" in history[1].text
    screenshot(driver, "resubmitted")

    go(driver, driver.find_element(By.ID, "approve"))
    assert driver.find_element(By.ID, "state").text == "Đã duyệt"
    assert len(driver.find_elements(By.CSS_SELECTOR, "#history tbody tr")) == 3

    go(driver, driver.find_element(By.LINK_TEXT, "← Danh sách hộ"))
    assert row_of(driver, "HT-0001")["Trạng thái"] == "Đã duyệt"
    assert row_of(driver, "HT-000001")["Trạng thái"] == "Mới"
    Select(driver.find_element(By.NAME, "state")).select_by_value("approved")
    go(driver, driver.find_element(By.CSS_SELECTOR, ".filters button"))
    assert [a.text for a in driver.find_elements(By.CSS_SELECTOR, "table.households tbody td:first-child a")] == ["HT-0001"]
    screenshot(driver, "list-approved")

    # The same pages in English.
    go(driver, driver.find_element(By.LINK_TEXT, "English"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Households received"
    assert row_of(driver, "HT-0001")["State"] == "Approved"
    go(driver, driver.find_element(By.LINK_TEXT, "HT-0001"))
    assert "Highest general education" in answer(driver, "members[2].general_education")
    assert "Lower secondary school" in answer(driver, "members[2].general_education")
    screenshot(driver, "household-en")

    # On a small screen (a tablet on the commune's desk) the page fits its width: nothing to scroll sideways.
    driver.set_window_size(480, 900)
    width = driver.execute_script("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], width
    driver.save_screenshot(str(SHOTS / "review-household-narrow.png"))
    assert other  # the second household stayed untouched
