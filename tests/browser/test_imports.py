"""Importing a CSV with one bad row in the browser: upload, map the columns, the dry run naming the
bad row, the real run's progress to the end, and the per-row error file."""

from __future__ import annotations

import secrets
from pathlib import Path

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from conftest import Admin, Browser, cn_mobile


def wait_for_status(tab: Browser, status: str, timeout: float = 60) -> None:
    """Waits (the page refreshes itself while the import runs) until the import's status reads
    `status`, then photographs the page."""
    def shown(driver) -> bool:
        try:
            return driver.find_element(By.ID, "import-status").text == status
        except Exception:  # the page is being reloaded
            return False
    WebDriverWait(tab.driver, timeout, poll_frequency=0.5).until(shown)
    tab.shot()


def upload_and_wait(tab: Browser, button_css: str) -> None:
    """Presses the upload button and waits for the mapping page (the upload is a full page load)."""
    tab.find(button_css).click()
    WebDriverWait(tab.driver, 30).until(lambda driver: "/imports/imp_" in driver.current_url)
    tab.shot()


def test_import_a_csv_with_one_bad_row(browser, admin: Admin, tmp_path: Path) -> None:
    team = admin.team()
    rep = admin.user("rep", team=team)
    tag = secrets.token_hex(4)
    rows = [
        "姓名,手机,邮箱,备注",
        f"Import good {tag} 1,+86{cn_mobile()},good1-{tag}@example.com,first",
        f"Import bad {tag},12,,the bad one",
        f"Import good {tag} 2,+86{cn_mobile()},,third",
    ]
    upload = tmp_path / f"customers-{tag}.csv"
    upload.write_text("\n".join(rows) + "\n", encoding="utf-8")

    tab = browser("en")
    tab.sign_in(rep)
    tab.go("/imports")
    form = tab.find("form[action='/imports']")
    Select(form.find_element(By.NAME, "object")).select_by_value("customers")
    form.find_element(By.NAME, "file").send_keys(str(upload))
    upload_and_wait(tab, "form[action='/imports'] button[type=submit]")
    assert tab.path.startswith("/imports/imp_"), tab.path
    import_id = tab.path.split("/")[2]

    # The mapping: guessed from the Chinese headers; the notes column is left out.
    assert Select(tab.find("select[name=field_0]")).first_selected_option.get_attribute("value") == "name"
    assert Select(tab.find("select[name=field_1]")).first_selected_option.get_attribute("value") == "phone"
    assert Select(tab.find("select[name=field_3]")).first_selected_option.get_attribute("value") == "ignore"
    assert f"Import bad {tag}" in tab.text, "the first rows are shown"
    tab.submit(f"form[action='/imports/{import_id}/mapping']")

    # The dry run: the counts and the bad row by line and column.
    wait_for_status(tab, "Checked (dry run)")
    counts = tab.find("table.counts").text
    assert "Would be created 2" in counts and "Have errors (would be skipped) 1" in counts, counts
    errors = tab.find("table.row-errors").text
    assert "3 手机" in errors, errors
    assert admin.call("GET", "/customers", params={"q": f"Import good {tag} 1"}).json()["data"] == [], "a dry run writes nothing"

    # The real run, followed to the end.
    tab.submit(f"form[action='/imports/{import_id}/run']")
    wait_for_status(tab, "Done")
    counts = tab.find("table.counts").text
    assert "Created 2" in counts and "Skipped (rows with errors) 1" in counts, counts
    assert not tab.all("[data-refresh]"), "a finished import stops refreshing"
    assert len(admin.call("GET", "/customers", params={"q": f"Import good {tag}"}).json()["data"]) == 2

    # The error file, as the browser downloads it with its session.
    link = tab.find(f"a[href='/imports/{import_id}/errors.csv']")
    response = requests.get(link.get_attribute("href"), cookies={"rapport_session": tab.cookie("rapport_session")}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith("attachment")
    lines = response.content.decode("utf-8").splitlines()
    assert lines[0] == "line,column,code,message"
    assert any(line.startswith("3,手机,") for line in lines[1:]), lines
    assert all(line.startswith("3,") for line in lines[1:]), "only the bad row"

    tab.go("/imports")
    assert f"customers-{tag}.csv" in tab.text


def test_import_pages_in_chinese_on_a_phone(browser, admin: Admin, tmp_path: Path) -> None:
    rep = admin.user("rep", team=admin.team())
    upload = tmp_path / "phone.csv"
    upload.write_text(f"Name,Mobile,A very long column header that should wrap nicely on a phone screen\nPhone {secrets.token_hex(3)},+86{cn_mobile()},x\n",
                      encoding="utf-8")
    tab = browser("zh-CN", width=390, height=844)
    tab.sign_in(rep)
    tab.go("/imports")
    assert "上传文件" in tab.text
    tab.find("input[name=file]").send_keys(str(upload))
    upload_and_wait(tab, "form[action='/imports'] button[type=submit]")
    assert "匹配列" in tab.text
    for _ in range(2):
        width = tab.driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"{tab.path} scrolls sideways on a phone ({width}px)"
        tab.go("/imports")
