"""The review page in headless Chromium: log in, play a take against picture, approve it, see the timeline change."""

from __future__ import annotations

from cuecraft.project import TakeStatus
from cuecraft.review.service import Actor, ReviewService
from cuecraft.review.webapp import create_app
from tests.browser import SCREENSHOTS, chromium, log_in, serve
from tests.conftest import PASSWORD

APPROVED_GREEN = "rgb(46, 157, 91)"


def test_composer_plays_a_take_against_picture_and_approves_it(review_project: ReviewService) -> None:
    project, _ = review_project.project()
    cue = project.cue("1M2")
    cue_start = float(project.film.frames_to_seconds(cue.start_frame))
    with serve(create_app(review_project)) as url, chromium() as page:
        log_in(page, url, "clara", PASSWORD)
        block = page.locator('.cue[data-cue="1M2"]')
        block.wait_for()
        assert block.get_attribute("data-status") == "pending"
        block.click()
        row = page.locator('tr[data-take="1M2-t1"]')
        row.locator("button.play").click()
        page.wait_for_function("() => { const a = document.querySelector('tr[data-take=\"1M2-t1\"] audio'); return a && a.currentTime > 0.5; }",
                               timeout=20000)  # fmt: skip
        offset = page.evaluate("() => document.getElementById('film').currentTime - document.querySelector('tr[data-take=\"1M2-t1\"] audio').currentTime")
        assert abs(offset - cue_start) < 0.3  # the picture runs at the cue's in point plus the take's position
        row.locator("button.approve").click()
        page.wait_for_function("() => document.querySelector('.cue[data-cue=\"1M2\"]').dataset.status === 'approved'")
        colour = page.evaluate("() => getComputedStyle(document.querySelector('.cue[data-cue=\"1M2\"]')).backgroundColor")
        assert colour == APPROVED_GREEN
        assert "approved 1M2 1M2-t1" in page.inner_text("#history")
        page.wait_for_function("() => document.querySelector('tr[data-take=\"1M2-t1\"] canvas.wave').dataset.peaks")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "review.png"))
    assert review_project.project()[0].cue("1M2").take("1M2-t1").status.value == "approved"


def test_a_viewer_sees_the_project_but_cannot_decide(review_project: ReviewService) -> None:
    with serve(create_app(review_project)) as url, chromium() as page:
        log_in(page, url, "vera", PASSWORD)
        page.locator('.cue[data-cue="1M1"]').click(timeout=120000)  # under a loaded machine the page can take a while
        page.locator('tr[data-take="1M1-t1"] button.approve').wait_for(timeout=120000)
        assert page.locator('tr[data-take="1M1-t1"] button.approve').is_disabled()
        assert page.locator("#regenButton").is_disabled()


def test_a_composer_rides_a_take_level_from_the_page_and_the_new_take_appears(review_project: ReviewService) -> None:
    with serve(create_app(review_project)) as url, chromium() as page:
        log_in(page, url, "clara", PASSWORD)
        page.locator('.cue[data-cue="1M3"]').click()
        page.locator('tr[data-take="1M3-t1"] button.level').click()
        page.locator("#askDialog").wait_for(state="visible")
        assert "Level of 1M3-t1" in page.inner_text("#askText")  # the page's own dialog, not window.prompt
        page.fill("#askInput", "-3")
        page.click("#askOk")
        page.locator('tr[data-take="1M3-t2"]').wait_for(timeout=60000)  # the job ran and the page reloaded the cue
        assert "-3 dB" in page.inner_text('tr[data-take="1M3-t2"]')
        assert "1M3-t1 at -3 dB" in page.inner_text('tr[data-take="1M3-t2"] .provenance')  # a trim tells itself from its source
        assert page.inner_text("#message").startswith("done")
        page.locator('.cue[data-cue="1M1"]').click()  # the job's progress lives in the header, naming its cue, whatever panel is open
        assert page.locator("#cuePanel #jobProgress").count() == 0 and "1M3" in page.inner_text("#jobPanel")
    made = review_project.project()[0].cue("1M3").take("1M3-t2")
    assert made.settings.level_db == -3 and made.source == "1M3-t1 at -3 dB"


def test_the_cue_panel_speaks_timecode_and_playback_stops_on_space(review_project: ReviewService) -> None:
    project, _ = review_project.project()
    cue = project.cue("1M3")
    film = project.film
    with serve(create_app(review_project)) as url, chromium() as page:
        page.goto(url)  # before logging in, the login form alone: no empty app skeleton under it
        page.locator("#loginForm").wait_for()
        assert page.locator("#loginForm").is_visible() and not page.locator("#app").is_visible()
        page.fill("#loginName", "clara")
        page.fill("#loginPassword", "wrong")
        page.click("#loginButton")
        page.wait_for_function("document.getElementById('message').textContent.length > 0")  # a failed login says so
        page.fill("#loginPassword", PASSWORD)  # then the right password, on the same page
        page.click("#loginButton")
        page.locator("#app").wait_for()
        assert not page.locator("#login").is_visible()
        assert page.inner_text("#message") == ""  # no stale login error once logged in
        page.locator('.cue[data-cue="1M3"]').click()
        times = page.inner_text("#cuePanel .times")
        assert f"in {film.timecode(cue.start_frame)}" in times and f"out {film.timecode(cue.end_frame)}" in times
        assert f"duration {film.timecode(cue.n_frames)}" in times
        assert page.inner_text("#cuePanel .why") == cue.spotting_note
        ticks = page.locator("#ruler .tick").all_inner_texts()  # a timecode ruler under the cues
        assert ticks[0] == film.timecode(0) and len(ticks) >= 5 and all(t.count(":") == 3 for t in ticks)
        row = page.locator('tr[data-take="1M3-t1"]')
        assert cue.takes[0].model in row.locator(".provenance").inner_text()  # which model made the take, how, when
        row.locator("button.slotA").click()
        page.keyboard.press("a")  # play slot A against picture from the keyboard
        page.wait_for_function("() => document.body.dataset.playing === '1M3'")
        page.keyboard.press(" ")  # and stop it
        page.wait_for_function("() => !document.body.dataset.playing && document.getElementById('film').paused")
        assert page.evaluate("() => document.querySelector('tr[data-take=\"1M3-t1\"] audio').paused")
        wave = row.locator("canvas.wave")  # the take's waveform: drawn from its peaks; a click plays from that point
        page.wait_for_function("() => document.querySelector('tr[data-take=\"1M3-t1\"] canvas.wave').dataset.peaks === '600'")
        inked = page.evaluate("""() => { const c = document.querySelector('tr[data-take="1M3-t1"] canvas.wave');
                                 const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                                 let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n / (c.width * c.height); }""")  # fmt: skip
        assert 0.05 < inked < 0.95, inked
        box = wave.bounding_box()
        wave.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        page.wait_for_function("() => document.body.dataset.playing === '1M3'")
        position = page.evaluate("() => document.querySelector('tr[data-take=\"1M3-t1\"] audio').currentTime")
        length = float(film.frames_to_seconds(cue.n_frames))
        assert abs(position - length / 2) < 0.1 * length, (position, length)
        page.keyboard.press(" ")


def test_export_asks_before_delivering_unapproved_cues_and_links_each_delivery(review_project: ReviewService) -> None:
    review_project.set_status(Actor("dan", "director"), "1M2", "1M2-t1", TakeStatus.approved)  # one decision; 1M1, 1M3... stay unapproved
    with serve(create_app(review_project)) as url, chromium() as page:
        log_in(page, url, "clara", PASSWORD)
        page.wait_for_function("document.querySelector('#history').textContent.includes('approved')")
        history = page.inner_text("#history")
        assert "login" not in history and "dan  approved 1M2 1M2-t1" in history  # decisions only; sign-ins behind a checkbox
        assert "T" not in history.split("  ")[0]  # the reviewer's local time, not raw UTC (2026-11-26T04:41:03+00:00)
        page.check("#showSignIns")
        page.wait_for_function("document.querySelector('#history').textContent.includes('login')")
        page.locator('.cue[data-cue="1M1"]').click()
        page.locator('tr[data-take="1M1-t1"] button.rollToggle').click()
        page.locator('tr[data-take="1M1-t1"] img.roll').click()
        assert page.locator("#rollDialog").is_visible() and page.locator("#rollLarge").bounding_box()["width"] > 800  # the roll enlarges
        page.keyboard.press("Escape")
        page.click("#exportButton")
        page.locator("#askDialog").wait_for(state="visible")
        assert "no approved take" in page.inner_text("#askText")  # nobody approved anything: the page asks first
        page.click("#askCancel")
        assert not (review_project.folder / "delivery").exists()
        page.click("#exportButton")
        page.locator("#askDialog").wait_for(state="visible")
        page.click("#askOk")
        page.locator("#exports a").first.wait_for(timeout=120000)
        link = page.locator("#exports a", has_text=".wav").first.get_attribute("href")
        assert page.request.get(url + link).status == 200


def test_words_from_the_project_are_shown_as_words_never_as_markup(review_project: ReviewService) -> None:
    hostile = '<img src=x onerror="window.pwned = 1">'
    review_project.add_note(Actor("dan", "director"), "1M1", hostile)
    review_project.add_note(Actor("dan", "director"), "1M1", f"take note {hostile}", take_id="1M1-t1")
    with serve(create_app(review_project)) as url, chromium() as page:
        log_in(page, url, "clara", PASSWORD)
        page.locator('.cue[data-cue="1M1"]').click(timeout=120000)
        page.locator("#cuePanel pre").wait_for(timeout=120000)  # under a loaded machine the panel can take a while
        assert hostile in page.inner_text("#cuePanel pre") and hostile in page.inner_text('tr[data-take="1M1-t1"]')
        assert page.locator("#cuePanel img").count() == 0 and page.evaluate("window.pwned") is None
