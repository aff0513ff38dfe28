"""perch in a real browser, through the deployed stack: headless Chromium (Debian's) over HTTPS.

An admin logs in, creates a page, edits it and deletes it; a second, anonymous browser sees each
step as any visitor would, through nginx's microcache. The browser reaches the container only
through its HTTPS port published on 127.0.0.1. A screenshot of the public page is kept in
.roost/artifacts/browser/.
"""

import os
import subprocess
import time
import uuid

import pytest

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ARTIFACTS = os.path.join(os.environ["MOLECULE_PROJECT_DIRECTORY"], ".roost", "artifacts", "browser")
# Anonymous answers may come from the microcache (1 s, then stale while one request refreshes it).
VISIBLE_WITHIN = 10


def published_https(container):
    """https://localhost:PORT, PORT being where docker publishes the container's 443 on 127.0.0.1."""
    out = subprocess.run(["docker", "port", container, "443/tcp"], capture_output=True, text=True, check=True)
    address = next(line for line in out.stdout.splitlines() if line.startswith("127.0.0.1:"))
    return "https://localhost:" + address.rsplit(":", 1)[1]


def chromium():
    for binary in ("/usr/bin/chromium", "/usr/bin/chromedriver"):
        if not os.path.exists(binary):
            pytest.fail(f"{binary} is missing: scripts/test installs Debian's chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--ignore-certificate-errors",
                     "--window-size=1100,900", "--disable-gpu"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.set_page_load_timeout(20)
    return driver


@pytest.fixture
def browsers():
    """An admin's browser and a visitor's, fresh for each host (cookies ignore ports: never share)."""
    admin, visitor = chromium(), chromium()
    yield admin, visitor
    admin.quit()
    visitor.quit()


def gone(element):
    """A wait condition: element is no longer in the page. Chromium 156 says so with an inspector
    error ("does not belong to the document") as often as with the stale reference Selenium expects."""
    def check(_driver):
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False
    return check


def wait_for(predicate, what, timeout=VISIBLE_WITHIN):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.3)


def visitor_sees(visitor, url, text):
    def check():
        visitor.get(url)
        return text in visitor.find_element(By.TAG_NAME, "body").text

    return check


def submit(driver, button_text):
    driver.find_element(By.XPATH, f"//*[self::button or self::input][@type='submit'][@value='{button_text}' or "
                                  f"normalize-space(text())='{button_text}']").click()


def test_admin_writes_a_page_visitors_read(host, browsers):
    admin, visitor = browsers
    base = published_https(host.backend.host)
    password = host.file("/srv/perch/shared/admin-password").content_string.strip()
    title = f"Browser page {uuid.uuid4().hex[:6]}"
    slug = title.lower().replace(" ", "-")

    # Log in.
    admin.get(base + "/admin/")
    assert "/auth/login" in admin.current_url
    admin.find_element(By.NAME, "username").send_keys("admin")
    admin.find_element(By.NAME, "password").send_keys(password)
    submit(admin, "Log in")
    WebDriverWait(admin, 10).until(expected_conditions.url_to_be(base + "/admin/"))
    cookie = admin.get_cookie("session")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    # Create a page, published.
    admin.find_element(By.LINK_TEXT, "New page").click()
    admin.find_element(By.NAME, "title").send_keys(title)
    admin.find_element(By.NAME, "body").send_keys("Written by **Chromium**.\n\n<script>document.title='owned'</script>")
    admin.find_element(By.CSS_SELECTOR, "input[name=status][value=published]").click()
    submit(admin, "Save")
    WebDriverWait(admin, 10).until(expected_conditions.url_to_be(base + "/admin/"))
    assert title in admin.find_element(By.TAG_NAME, "body").text

    # An anonymous visitor sees it, in the navigation too, without the script.
    wait_for(visitor_sees(visitor, f"{base}/{slug}", "Written by Chromium."), "the new page is public")
    assert visitor.find_element(By.CSS_SELECTOR, ".prose strong").text == "Chromium"
    assert visitor.title.startswith(title)
    assert visitor.get_cookie("session") is None
    os.makedirs(ARTIFACTS, exist_ok=True)
    screenshot = os.path.join(ARTIFACTS, f"{host.backend.host}-public-page.png")
    assert visitor.save_screenshot(screenshot) and os.path.getsize(screenshot) > 10_000
    wait_for(visitor_sees(visitor, base + "/", title), "the new page is in the navigation")
    assert visitor.find_element(By.LINK_TEXT, title).get_attribute("href") == f"{base}/{slug}"

    # Edit it.
    admin.get(base + "/admin/")
    admin.find_element(By.CSS_SELECTOR, "table.entries").find_element(By.LINK_TEXT, title).click()
    body = admin.find_element(By.NAME, "body")
    body.clear()
    body.send_keys("Edited in the browser.")
    submit(admin, "Save")
    WebDriverWait(admin, 10).until(expected_conditions.url_to_be(base + "/admin/"))
    wait_for(visitor_sees(visitor, f"{base}/{slug}", "Edited in the browser."), "the edit is public")

    # Delete it. The list posts back to its own URL: wait for the old list to go, not for a URL.
    listing = admin.find_element(By.CSS_SELECTOR, "table.entries")
    admin.find_element(By.CSS_SELECTOR, f"button[aria-label='Delete {title}']").click()
    WebDriverWait(admin, 10).until(gone(listing))
    listing = WebDriverWait(admin, 10).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "table.entries")))
    assert admin.current_url == base + "/admin/"
    assert title not in listing.text
    wait_for(visitor_sees(visitor, f"{base}/{slug}", "Not Found"), "the deleted page is gone")

    # Log out: the admin pages ask for a login again. Only once the logout has landed on the home
    # page: a navigation started before it would race the POST that ends the session.
    submit(admin, "Log out")
    WebDriverWait(admin, 10).until(expected_conditions.url_to_be(base + "/"))
    admin.get(base + "/admin/")
    assert "/auth/login" in admin.current_url
