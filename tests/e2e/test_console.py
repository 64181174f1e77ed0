"""The console in a real headless Chromium on the local stack: a checker's day, an agency's, an admin's; screenshots."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.e2e.browser import browser, screenshot, text_of
from tests.e2e.conftest import ADMIN_KEY, Stack, keyed_session, wait_for_status

HOSTILE = (
    '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script> '
    "Petugas KPPS di Kabupaten Demak diminta mencoblos sisa surat suara setelah TPS tutup, sebarkan!"
)


def _key(stack: Stack, partner_id: str, *roles: str) -> str:
    created = requests.post(
        f"{stack.url}/v1/keys",
        json={"partner_id": partner_id, "roles": list(roles)},
        headers={"X-Api-Key": ADMIN_KEY},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    return str(created.json()["key"])


def _wait(driver: WebDriver, selector: str, timeout: float = 30) -> None:
    WebDriverWait(driver, timeout).until(lambda d: d.find_elements(By.CSS_SELECTOR, selector))


def _sign_in(driver: WebDriver, stack: Stack, key: str) -> None:
    driver.get(stack.url + "/console/")
    _wait(driver, "#masuk:not([hidden])")
    driver.find_element(By.ID, "kunci").send_keys(key)
    driver.find_element(By.ID, "tombol-masuk").click()


def _no_console_errors(driver: WebDriver) -> None:
    severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]  # type: ignore[attr-defined]
    # An API answer of 401 or 404 is the page asking (a session, today's export), not an error of the page
    assert not [m for m in severe if "Failed to load resource" not in m], severe


def test_a_checker_takes_the_top_case_decides_it_and_sees_every_report_reviewed(stacks: Callable[..., Stack]) -> None:
    stack = stacks()
    partner = keyed_session(stack, "partner", partner_id="kabar-app")
    reports = []
    for platform in ("whatsapp", "facebook", "x"):
        answer = partner.post(
            f"{stack.url}/v1/reports", json={"text": HOSTILE, "platform": platform, "province": "33"}, timeout=10
        )
        reports.append(answer.json()["id"])
    for report_id in reports:
        wait_for_status(partner, f"{stack.url}/v1/reports/{report_id}", {"needs_review"})
    with browser(width=1280, height=900) as driver:
        # A checker signs in once with their key: the session cookie is out of the page's reach
        _sign_in(driver, stack, _key(stack, "cekfakta", "checker"))
        _wait(driver, "tr[data-case]")
        assert driver.execute_script("return document.cookie") == ""
        assert driver.find_element(By.ID, "kunci").get_attribute("value") == ""
        tabs = [link.text for link in driver.find_elements(By.CSS_SELECTOR, "#isi p a[href^='#/antrean']")]
        assert tabs == ["terbuka", "sedang ditinjau", "diputuskan"]  # names, not their addresses
        top = driver.find_element(By.CSS_SELECTOR, "tr[data-case]")
        assert "Demak" in top.text and "3" in top.text
        screenshot(driver, "console-1-queue")
        # The case page shows the reported text as text: the markup in it stays inert
        top.find_element(By.CSS_SELECTOR, "a").click()
        _wait(driver, "#isi-kasus")
        assert "<script>" in text_of(driver, "#isi-kasus") and "onerror" in text_of(driver, "#isi-kasus")
        assert not driver.find_elements(By.CSS_SELECTOR, "#isi img, #isi script")
        assert driver.title != "pwned"
        assert len(driver.find_elements(By.CSS_SELECTOR, "#laporan-kasus tr[data-report]")) == 3
        screenshot(driver, "console-2-case")
        # They take it and decide it, with a new claim
        driver.find_element(By.ID, "tombol-ambil").click()
        WebDriverWait(driver, 30).until(lambda d: "sedang ditinjau" in text_of(d, "#status-kasus"))
        Select(driver.find_element(By.ID, "label-putusan")).select_by_value("HOAKS")
        driver.find_element(By.ID, "ringkasan").send_keys("KPU Demak membantah: sisa surat suara disegel dan dihitung.")
        driver.find_element(By.ID, "url-cek-fakta").send_keys("https://cekfakta.example/demak")
        driver.find_element(By.ID, "judul-klaim").send_keys("Petugas KPPS Demak mencoblos sisa surat suara")
        driver.find_element(By.ID, "tombol-putuskan").click()
        # Then every report of the case shows the verdict
        WebDriverWait(driver, 60).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "#laporan-kasus tr[data-status='reviewed']")) == 3
        )
        assert "diputuskan" in text_of(driver, "#status-kasus")
        screenshot(driver, "console-3-decided")
        _no_console_errors(driver)
        # And signing out ends the session
        driver.find_element(By.ID, "keluar").click()
        _wait(driver, "#masuk:not([hidden])")
        assert driver.execute_script("return fetch('/v1/cases').then(r => r.status)") == 401
    for report_id in reports:
        assert partner.get(f"{stack.url}/v1/reports/{report_id}", timeout=10).json()["status"] == "reviewed"


def test_an_agency_sees_charts_that_match_the_statistics_and_downloads_the_export(stacks: Callable[..., Stack]) -> None:
    stack = stacks()
    partner = keyed_session(stack, "partner", partner_id="kabar-app")
    sent = [
        ("KPU resmi mengundurkan hari pemungutan suara ke bulan Juni karena logistik belum siap.", "whatsapp", "31"),
        ("Tinta pemilu mengandung babi, jangan mau dicelup", "facebook", "32"),
        ("Harga cabai di pasar naik tiga kali lipat menjelang pemilu kata pedagang", "x", "32"),
    ]
    ids = [
        partner.post(f"{stack.url}/v1/reports", json={"text": t, "platform": p, "province": v}, timeout=10).json()["id"]
        for t, p, v in sent
    ]
    for report_id in ids:
        wait_for_status(partner, f"{stack.url}/v1/reports/{report_id}", {"matched", "needs_review"})
    labelled = sum(bool(partner.get(f"{stack.url}/v1/reports/{i}", timeout=10).json().get("verdict")) for i in ids)
    agency_key = _key(stack, "bawaslu", "agency")
    today = (datetime.now(UTC) + timedelta(hours=7)).date()
    week = {"from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat()}
    agency = {"X-Api-Key": agency_key}
    deadline = time.monotonic() + 30
    while True:  # the statistics follow the reports' stream: their totals, and then their verdicts' labels
        days = requests.get(
            f"{stack.url}/v1/stats/daily", params={**week, "group_by": "label"}, headers=agency, timeout=10
        ).json()["days"]
        counted = sum(day["total"] for day in days), sum(sum(day["counts"].values()) for day in days)
        if counted == (len(sent), labelled) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    with browser(width=1280, height=900) as driver:
        _sign_in(driver, stack, agency_key)
        _wait(driver, "#grafik-label rect.batang")
        # The charts show exactly what GET /v1/stats/daily says
        for chart, group in (
            ("grafik-label", "label"),
            ("grafik-provinsi", "province"),
            ("grafik-platform", "platform"),
        ):
            stats = requests.get(
                f"{stack.url}/v1/stats/daily", params={**week, "group_by": group}, headers=agency, timeout=10
            ).json()
            bars = driver.find_elements(By.CSS_SELECTOR, f"#{chart} rect.batang")
            shown: dict[tuple[str, str], int] = {}
            for bar in bars:
                key = (bar.get_attribute("data-date") or "", bar.get_attribute("data-key") or "")
                shown[key] = int(bar.get_attribute("data-value") or 0)
            if group == "label":  # and a day's reports without a verdict yet, so each bar is the day's total
                expected = {(d["date"], k): v for d in stats["days"] for k, v in d["counts"].items() if v}
                for day in stats["days"]:
                    if day["total"] - sum(day["counts"].values()):
                        expected[(day["date"], "belum berlabel")] = day["total"] - sum(day["counts"].values())
            else:
                totals: dict[str, int] = {}
                for day in stats["days"]:
                    for k, v in day["counts"].items():
                        totals[k] = totals.get(k, 0) + v
                expected = {("", k): v for k, v in totals.items() if v}
            assert shown == expected, (chart, shown, expected)
        assert sum(v for (_, k), v in shown.items()) == 3
        screenshot(driver, "console-4-dashboard")
        # It builds today's export, downloads every file and checks each against the manifest
        driver.find_element(By.ID, "tombol-ekspor").click()
        _wait(driver, "#berkas-ekspor a")
        manifest = requests.get(
            driver.find_element(By.ID, "tautan-manifest").get_attribute("href") or "", timeout=10
        ).json()
        listed = {item["name"]: item["sha256"] for item in manifest["files"]}
        links = driver.find_elements(By.CSS_SELECTOR, "#berkas-ekspor a")
        assert {link.text for link in links} == set(listed)
        for link in links:
            data = requests.get(link.get_attribute("href") or "", timeout=10).content
            assert hashlib.sha256(data).hexdigest() == listed[link.text] == link.get_attribute("data-sha256")
        screenshot(driver, "console-5-export")
        # An agency has no review queue in its menu
        assert not driver.find_element(By.CSS_SELECTOR, "a[href='#/antrean']").is_displayed()
        _no_console_errors(driver)


def test_a_partner_key_is_refused_at_sign_in_and_an_admin_makes_a_key(stacks: Callable[..., Stack]) -> None:
    stack = stacks()
    with browser(width=1280, height=900) as driver:
        _sign_in(driver, stack, _key(stack, "kabar-app", "partner"))
        _wait(driver, "#hasil-masuk .galat")
        assert "bukan untuk konsol" in text_of(driver, "#hasil-masuk")
        assert driver.find_element(By.ID, "menu").get_attribute("hidden") is not None
        screenshot(driver, "console-6-refused")
        driver.find_element(By.ID, "kunci").clear()
        driver.find_element(By.ID, "kunci").send_keys(ADMIN_KEY)
        driver.find_element(By.ID, "tombol-masuk").click()
        driver.get(stack.url + "/console/#/kunci")
        _wait(driver, "#form-kunci")
        driver.find_element(By.ID, "kunci-mitra").send_keys("radio-kota")
        driver.find_element(By.CSS_SELECTOR, "input[name=peran][value=media]").click()
        driver.find_element(By.CSS_SELECTOR, "#form-kunci button[type=submit]").click()
        _wait(driver, ".kunci-baru")
        made = text_of(driver, ".kunci-baru")
        assert made.startswith("saring_")
        looked_up = requests.post(f"{stack.url}/v1/lookup", json={"text": "x"}, headers={"X-Api-Key": made}, timeout=10)
        assert looked_up.status_code == 200
        screenshot(driver, "console-7-keys")
