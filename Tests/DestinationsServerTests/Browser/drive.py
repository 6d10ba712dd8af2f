"""Drives headless Chromium through the steps a test gives, with Playwright on the system's browser.

Usage: drive.py <chromium> <screenshots dir>, with a JSON list of steps on standard input. Each step is one of
  {"goto": url}, {"fill": selector, "value": text}, {"select": selector, "value": text}, {"click": selector},
  {"wait_text": selector, "contains": text}, {"wait_url": substring}, {"screenshot": name},
  {"eval": javascript, "as": key}, {"viewport": [width, height]}, {"wait_eval": javascript}
and may carry "frame": true to act inside the page's first iframe. Prints {"results": {...}, "url": ...,
"console": [...]} as JSON; a step that fails prints {"error": ..., "step": n} and exits 1.

Every name the browser could look up resolves to nothing but loopback addresses written as numbers: the
browser reaches no host beyond the machine, and asks no resolver.
"""
import json
import os
import sys

from playwright.sync_api import sync_playwright

TIMEOUT_MS = 15_000
ISOLATION = [
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--no-sandbox",
]


def main():
    chromium, shots = sys.argv[1], sys.argv[2]
    steps = json.load(sys.stdin)
    os.makedirs(shots, exist_ok=True)
    results, console = {}, []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ISOLATION)
        page = browser.new_page(viewport={"width": 1024, "height": 800})
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", lambda message: console.append(message.text))
        for number, step in enumerate(steps):
            target = page.frames[1] if step.get("frame") and len(page.frames) > 1 else page
            try:
                if "goto" in step:
                    page.goto(step["goto"])
                elif "viewport" in step:
                    page.set_viewport_size({"width": step["viewport"][0], "height": step["viewport"][1]})
                elif "fill" in step:
                    target.fill(step["fill"], step["value"])
                elif "select" in step:
                    target.select_option(step["select"], step["value"])
                elif "click" in step:
                    target.click(step["click"])
                elif "wait_text" in step:
                    target.wait_for_function(
                        "([selector, text]) => { const node = document.querySelector(selector); "
                        "return node && !node.hidden && node.textContent.includes(text); }",
                        arg=[step["wait_text"], step["contains"]],
                    )
                elif "wait_url" in step:
                    page.wait_for_url(lambda url: step["wait_url"] in url)
                elif "wait_eval" in step:
                    target.wait_for_function(step["wait_eval"])
                elif "screenshot" in step:
                    page.screenshot(path=os.path.join(shots, step["screenshot"] + ".png"), full_page=True)
                elif "eval" in step:
                    results[step["as"]] = target.evaluate(step["eval"])
            except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
                page.screenshot(path=os.path.join(shots, "failed-step-%d.png" % number), full_page=True)
                print(json.dumps({"error": str(error), "step": number, "url": page.url, "console": console}))
                sys.exit(1)
        print(json.dumps({"results": results, "url": page.url, "console": console}))
        browser.close()


if __name__ == "__main__":
    main()
