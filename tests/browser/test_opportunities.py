"""The opportunity and catalog pages in a real browser: create an opportunity from a customer's page,
move it along the kanban (the proposal's guard asks for the amount first), lose it with a reason,
re-open it, price an order in the catalog's calculator with a policy applied, and the board at a
phone's width without sideways scrolling; once in Chinese. A rep shares a deal with a colleague of
another team found by name, who then opens it."""

from __future__ import annotations

import secrets

from conftest import Admin, Browser


def _customer(admin: Admin, name: str, owner) -> dict:
    return admin.call("POST", "/customers", json={"kind": "person", "name": name, "owner_id": owner.id}).json()["customer"]


def _page_width_fits(tab: Browser) -> bool:
    return tab.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_rep_creates_an_opportunity_moves_it_loses_and_reopens_it(browser, admin: Admin) -> None:
    team = admin.team()
    rep = admin.user("rep", team=team)
    tag = secrets.token_hex(3)
    customer = _customer(admin, f"Zhang {tag}", rep)
    tab: Browser = browser("en")
    tab.sign_in(rep)

    # From the customer's 360 page: "New opportunity", with the customer filled in.
    tab.go(f"/customers/{customer['id']}")
    tab.click(f"a[href='/opportunities/new?customer={customer['id']}']")
    assert f"Zhang {tag}" in tab.text
    tab.submit("#new-opportunity", {"name": f"Maths course {tag}", "pipeline": "new_sale", "competitors": "Acme School"})
    assert "Opportunity created." in tab.text and tab.path.startswith("/opportunities/opp_"), tab.path
    opportunity_id = tab.path.split("?")[0].rsplit("/", 1)[1]

    # On the board: the card is in the first column; moving it to the proposal asks for the amount.
    tab.go("/opportunities")
    card = f"form[action='/opportunities/{opportunity_id}/stage']"
    assert f"Maths course {tag}" in tab.find("#col-needs_analysis").find_element("xpath", "../..").text
    tab.submit(card, {"stage": "proposal"})
    assert tab.find("#move-proposal [role=alert]").text, "the refusal is shown on the stage's form"
    assert "Amount is required." in tab.text
    assert tab.find("a[href='#move-proposal']").text, "the refusal is said at the top, linking to its form"
    assert tab.find("#guard-proposal-amount").get_attribute("aria-invalid") == "true"
    tab.submit("#move-proposal", {"amount": "12,800", "reason": "Plan sent"})
    assert "Stage changed." in tab.text and "Proposal" in tab.find("h1").text
    assert "¥12,800.00" in tab.text
    tab.go("/opportunities")
    column = tab.find("#col-proposal").find_element("xpath", "../..")
    assert f"Maths course {tag}" in column.text and "¥12,800.00" in column.text
    tab.submit(card, {"stage": "negotiation"})
    assert "Course package is required." in tab.text
    tab.submit("#move-negotiation", {"custom_fields.course_package": "lessons_48"})
    assert "Stage changed." in tab.text and "Awaiting payment" in tab.find("h1").text

    # Lose it with a reason from the dictionary's list, then re-open it with a reason.
    tab.submit("#move-lost", {"loss_reason": "competitor", "reason": "Chose another school"})
    assert "Stage changed." in tab.text and "Lost" in tab.find("h1").text
    assert "Chose a competitor" in tab.text
    tab.submit("#reopen", {"reason": "They came back"})
    assert "Opportunity re-opened." in tab.text and "Needs analysis" in tab.find("h1").text
    history = tab.find("section[aria-labelledby=opp-history]").text
    assert "They came back" in history and "Chose another school" in history
    body = admin.call("GET", f"/opportunities/{opportunity_id}").json()
    assert body["stage"] == "needs_analysis" and body["amount"]["amount_minor"] == 1_280_000

    # The list view with the same card.
    tab.go("/opportunities?view=list")
    assert f"Maths course {tag}" in tab.text


def test_a_rep_shares_an_opportunity_with_a_colleague_of_another_team(browser, admin: Admin) -> None:
    east, west = admin.team(), admin.team()
    rep = admin.user("rep", team=east)
    tag = secrets.token_hex(3)
    presales = admin.user("rep", name=f"Presales {tag}", team=west)
    customer = _customer(admin, f"Li {tag}", rep)
    opportunity = admin.call("POST", "/opportunities", json={"name": f"Physics {tag}", "customer_id": customer["id"], "owner_id": rep.id}).json()
    path = f"/opportunities/{opportunity['id']}"

    tab: Browser = browser("en", width=390)
    tab.sign_in(rep)
    tab.go(path)
    assert _page_width_fits(tab), "the share form fits a phone"
    # Found by name (the rep's own user list would hold only themselves): name and team, no email.
    tab.submit("#share-search", {"share_q": f"presales {tag}"})
    options = [o.text for o in tab.all("#share-user option")]
    assert options == [f"Presales {tag} · {west['name']}"], options
    assert presales.email not in tab.source
    tab.submit("#share", {"user_id": presales.id, "access": "read"})
    assert "Shared with the colleague." in tab.text
    assert f"Presales {tag}" in tab.find("section[aria-labelledby=opp-team]").text

    other: Browser = browser("zh-CN")
    other.sign_in(presales)
    other.go(path)
    assert f"Physics {tag}" in other.text and other.path == path
    assert not other.all("#share"), "a read collaborator cannot share it on"


def test_the_calculator_applies_a_policy_and_the_board_fits_a_phone_in_chinese(browser, admin: Admin, admin_person) -> None:
    tag = secrets.token_hex(3).upper()
    sku = f"ENG-{tag}"
    admin.call("POST", "/products", json={"sku": sku, "name": f"English 24 {tag}", "unit": "lesson",
                                          "prices": [{"currency": "CNY", "amount_minor": 240_000}]})
    team = admin.team()
    rep = admin.user("rep", team=team, locale="zh-Hans")
    customer = _customer(admin, f"李 {tag}", rep)
    deal = admin.call("POST", "/opportunities", json={"name": f"英语 {tag}", "customer_id": customer["id"], "owner_id": rep.id,
                                               "amount": {"amount_minor": 240_000, "currency": "CNY"}}).json()

    # The administrator adds a policy through the catalog's form.
    tab: Browser = browser("en")
    tab.sign_in(admin_person)
    tab.go("/catalog/policies")
    tab.submit("#catalog-new", {"name": f"Spring {tag}", "kind": "percent_off", "percent": "15", "skus": sku})
    assert "Saved." in tab.text and f"Spring {tag}" in tab.text

    # A rep prices an order in Chinese: the policy applied, the totals.
    phone: Browser = browser("zh-CN", width=390, height=844)
    phone.sign_in(rep)
    phone.go("/catalog/calculator")
    assert _page_width_fits(phone)
    phone.submit("#calculator", {"sku": sku, "quantity": "2"})
    result = phone.find("#result").text
    assert f"Spring {tag}" in result and "已应用的政策" in result
    assert "¥4,080.00" in result, result  # 2 × 2,400 × 85 %
    assert _page_width_fits(phone)

    # The board on a phone: columns stacked, nothing scrolls sideways.
    phone.go("/opportunities")
    assert "商机" in phone.text and f"英语 {tag}" in phone.text
    assert _page_width_fits(phone), "the board scrolls the page sideways"
    phone.go(f"/opportunities/{deal['id']}")
    assert f"英语 {tag}" in phone.find("h1").text and "变更阶段" in phone.text
    assert _page_width_fits(phone), "the opportunity's page scrolls sideways"
    phone.go(f"/customers/{customer['id']}")
    assert "新建商机" in phone.text
