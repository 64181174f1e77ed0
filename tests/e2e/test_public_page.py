"""The public page in a real headless Chromium on the local stack: check, complain, track; a screenshot each step."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import requests
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from bench.picture_set import encoded, news_screenshot, transformed
from tests.e2e.browser import browser, screenshot, text_of
from tests.e2e.conftest import Stack, keyed_session

DEMO_HOAX = (  # demo-004, as it is forwarded
    "Info penting: KPU resmi mengundurkan hari pemungutan suara ke bulan Juni karena logistik belum siap. "
    "Tidak perlu datang ke TPS tanggal 14 Februari."
)
DEMO_004 = "Pemungutan suara diundur ke bulan Juni"
UNKNOWN = "Katanya petugas TPS di Kabupaten Kendal meminta pemilih memotret surat suara sebagai bukti untuk hadiah"
HOSTILE = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script> tinta pemilu babi'


def _wait(driver: WebDriver, selector: str, timeout: float = 30) -> None:
    WebDriverWait(driver, timeout).until(lambda d: d.find_elements(By.CSS_SELECTOR, selector))


def _check(driver: WebDriver, message: str) -> None:
    box = driver.find_element(By.ID, "pesan")
    box.clear()
    box.send_keys(message)
    driver.find_element(By.ID, "tombol-cek").click()


def _decide(stack: Stack, sample_text: str, summary: str) -> None:
    """A fact-checker takes the complaint's case from the queue and decides it, over the API."""
    checker = keyed_session(stack, "checker", partner_id="cekfakta")
    deadline = time.monotonic() + 30
    while True:  # the complaint is checked in the background, then its case waits in the queue
        cases = checker.get(f"{stack.url}/v1/cases?status=open", timeout=10).json()["cases"]
        case = next((c for c in cases if c["sample_text"] == sample_text), None)
        if case or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert case is not None, "the complaint's case never reached the review queue"
    assert case["public_complaints"] == 1
    taken = checker.post(f"{stack.url}/v1/cases/{case['id']}/review", json={"version": case["version"]}, timeout=10)
    assert taken.status_code == 200, taken.text
    decided = checker.post(
        f"{stack.url}/v1/cases/{case['id']}/verdict",
        json={
            "version": taken.json()["version"],
            "label": "HOAKS",
            "summary": summary,
            "fact_check_url": "https://cekfakta.example/kendal-foto-surat-suara",
            "title": "Pemilih diminta memotret surat suara untuk hadiah",
        },
        timeout=10,
    )
    assert decided.status_code == 202, decided.text


def _wait_for_verdict(stack: Stack, code: str) -> None:
    deadline = time.monotonic() + 30
    while requests.get(f"{stack.url}/v1/public/reports/{code}", timeout=10).json()["verdict"] is None:
        assert time.monotonic() < deadline, "the verdict never reached the complaint"
        time.sleep(1)  # a polite poll: the public's limits count per address


def _no_csp_violations(driver: WebDriver) -> None:
    logs = driver.get_log("browser")  # type: ignore[attr-defined]
    severe = [entry["message"] for entry in logs if entry["level"] == "SEVERE"]
    assert not severe, severe


def test_a_citizen_checks_a_hoax_complains_about_an_unknown_one_and_follows_it_to_the_verdict(
    stacks: Callable[..., Stack],
) -> None:
    stack = stacks()
    with browser() as driver:
        # Given the page `make run` serves at /
        driver.get(stack.url + "/")
        assert text_of(driver, "h1") == "Cek dulu sebelum sebar"
        _wait(driver, "#provinsi option[value='33']")  # the form's lists are the API's
        screenshot(driver, "public-1-home")

        # When a citizen pastes a demo hoax and presses "Cek"
        _check(driver, DEMO_HOAX)
        _wait(driver, "#hasil .kartu")
        # Then the fact-check answers it, with its explanation
        card = text_of(driver, "#hasil .kartu")
        assert DEMO_004 in card and "Hoaks" in card and "14 Februari 2024" in card
        screenshot(driver, "public-2-verdict")

        # When they check a message nobody has checked yet, and send it as a complaint
        _check(driver, UNKNOWN)
        _wait(driver, "#tombol-ke-aduan")
        assert "Belum diperiksa" in text_of(driver, "#hasil")
        driver.find_element(By.ID, "tombol-ke-aduan").click()
        Select(driver.find_element(By.ID, "platform")).select_by_value("whatsapp")
        Select(driver.find_element(By.ID, "provinsi")).select_by_value("33")
        driver.find_element(By.ID, "tombol-aduan").click()
        _wait(driver, "#kode-aduan")  # the page solved the challenge itself
        code = text_of(driver, "#kode-aduan")
        assert code.startswith("SRG-") and len(code) == 23
        screenshot(driver, "public-3-complaint")

        # And a fact-checker decides the complaint's case
        summary = "KPU Kendal membantah: memotret surat suara di bilik dilarang dan tidak ada hadiah."
        _decide(stack, UNKNOWN, summary)

        # Then following the tracking code shows the verdict, in a fresh visit, once it reached the complaint
        _wait_for_verdict(stack, code)
        driver.get(f"{stack.url}/?kode={code}")
        WebDriverWait(driver, 30).until(lambda d: summary in text_of(d, "#hasil-lacak"))
        tracked = text_of(driver, "#hasil-lacak")
        assert "Pemeriksa fakta sudah memutuskan" in tracked and "Hoaks" in tracked
        screenshot(driver, "public-4-tracked")
        _no_csp_violations(driver)


def test_a_screenshot_picked_on_the_page_goes_to_the_bucket_and_is_matched(
    stacks: Callable[..., Stack], tmp_path: Path
) -> None:
    stack = stacks()
    picture = tmp_path / "tangkapan-layar.jpg"
    demo_text = (
        "Mulai pemilu ini, pemilih yang belum punya KTP elektronik dilarang mencoblos di TPS "
        "walaupun namanya ada di DPT."
    )
    shot = transformed(
        news_screenshot("Pemilih tanpa KTP elektronik tidak bisa mencoblos", demo_text, seed=5), "status bar", 6
    )
    picture.write_bytes(encoded(shot, "JPEG", quality=85))
    with browser() as driver:
        driver.get(stack.url + "/")
        # When a citizen picks a screenshot alone and presses "Cek"
        driver.find_element(By.ID, "gambar").send_keys(str(picture))
        driver.find_element(By.ID, "tombol-cek").click()
        # Then it is uploaded straight to the bucket, read by the picture function and matched (demo-002)
        _wait(driver, "#hasil .kartu", timeout=60)
        assert "Pemilih tanpa KTP elektronik tidak bisa mencoblos" in text_of(driver, "#hasil .kartu")
        screenshot(driver, "public-5-picture")
        _no_csp_violations(driver)


def test_the_page_is_usable_by_keyboard_in_english_at_320_px_and_shows_hostile_text_inert(
    stacks: Callable[..., Stack],
) -> None:
    stack = stacks()
    with browser(width=320, height=800) as driver:
        driver.get(stack.url + "/")
        # Readable at 320 px: nothing wider than the screen
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 320
        # Every field has a label
        for field in driver.find_elements(By.CSS_SELECTOR, "textarea, input, select"):
            field_id = field.get_attribute("id")
            assert driver.find_elements(By.CSS_SELECTOR, f"label[for='{field_id}']"), field_id
        # The English switch
        driver.find_element(By.ID, "bahasa").click()
        assert text_of(driver, "h1") == "Check before you share"
        assert driver.execute_script("return document.documentElement.lang") == "en"
        # By keyboard alone: type, Tab to the picture, Tab to "Check", Enter
        box = driver.find_element(By.ID, "pesan")
        box.click()
        box.send_keys(HOSTILE)
        ActionChains(driver).send_keys(Keys.TAB).send_keys(Keys.TAB).perform()
        assert driver.switch_to.active_element.get_attribute("id") == "tombol-cek"
        ActionChains(driver).send_keys(Keys.ENTER).perform()
        _wait(driver, "#hasil .kartu")
        # The demo claim about the ink answers it; the markup in the message stayed text
        assert "Tinta pemilu mengandung babi" in text_of(driver, "#hasil")
        assert driver.title != "pwned"
        assert not driver.find_elements(By.CSS_SELECTOR, "#hasil img, #hasil script")
        # Text contrast of the page's main surfaces is at least 4.5:1 (WCAG AA)
        ratios = driver.execute_script(CONTRAST_SCRIPT)
        assert all(ratio >= 4.5 for ratio in ratios.values()), ratios
        screenshot(driver, "public-6-english-320px")
        _no_csp_violations(driver)


def test_the_page_sets_no_cookie_loads_nothing_from_elsewhere_and_keeps_its_weight(
    stacks: Callable[..., Stack],
) -> None:
    stack = stacks()
    page = requests.get(stack.url + "/", timeout=10)
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert requests.get(stack.url + "/../app.py", timeout=10).status_code == 404
    with browser() as driver:
        driver.get(stack.url + "/")
        _wait(driver, "#provinsi option[value='31']")
        loaded = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href])"
        )
        assert all(url.startswith(stack.url) for url in loaded), loaded
        assert driver.get_cookies() == []
    # The page's weight before pictures: every file it loads, gzipped (make bench prints the figure)
    from bench.page_weight import page_weight

    assert page_weight().gzipped_bytes <= 100 * 1024


# Contrast of text against its background for the elements a reader reads (WCAG relative luminance).
CONTRAST_SCRIPT = """
function rgb(text) { return text.match(/[\\d.]+/g).slice(0, 3).map(Number); }
function lum(c) {
  const v = c.map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
}
function background(node) {
  for (; node; node = node.parentElement) {
    const b = getComputedStyle(node).backgroundColor;
    if (b && !b.startsWith('rgba(0, 0, 0, 0)') && b !== 'transparent') return b;
  }
  return 'rgb(255, 255, 255)';
}
const out = {};
const read = ['h1', '.lead', 'label', 'button#tombol-cek', '.hint', '.pesan', '.label', 'footer p', '#bahasa'];
for (const selector of read) {
  const node = document.querySelector(selector);
  if (!node) continue;
  const a = lum(rgb(getComputedStyle(node).color)), b = lum(rgb(background(node)));
  out[selector] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
return out;
"""
