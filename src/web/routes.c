/*
 * routes.c - the route table and the permissions: the one place that says
 * who may call what (architecture.md, "Security model"). Each route names
 * its method, path pattern, handler and permission; the server checks the
 * permission before the handler runs, and the store then confines every
 * read and write to the user's unit subtree. `gnbv serve --routes` prints
 * this table as JSON, and tests/cli/web_authz.py runs every row of it for
 * every role (quality.md S1): a route added here and not to the matrix
 * fails that test.
 *
 * Who holds what (product.md, "Who uses it"): every role reads the
 * aggregate dashboards; household records are personal data (Decree
 * 13/2023) seen and changed only by the roles whose work needs them: the
 * commune officer who surveys, the standing office that consolidates,
 * and the administrator. Agencies, finance and viewers see counts only.
 * Plans hold no personal data: every role reads them; the standing office
 * that writes the plan and the finance office that allocates change its
 * budget lines (agencies lead single components, a finer scope than the
 * store has yet: they read).
 *
 * The review round (docs/review.md, Decision 24/2021/QĐ-TTg): the commune
 * officers run steps 1 to 4 and submit (`review`); recognition is the
 * commune chairman's, who signs in as a `commune` user of the commune and
 * may not be the user who submitted (`recognise`: the store refuses the
 * submitter); reopening a locked round belongs to the level above, the
 * district's standing office (`reopen`: the store refuses a user whose
 * unit is not above the commune). The administrator holds all three, and
 * the store still applies its scope and these rules to them.
 *
 * The last column marks the pages kept rendered in memory (cache.c): the
 * aggregate and plan pages, which hold no personal data and write nothing.
 * Pages of household records are never kept: each view of them is itself
 * an audited access (quality.md S3), which a page from memory would skip.
 *
 * Accounts (product.md: the administrator manages units and users). Every
 * user sees their own account and changes their own password (`user`).
 * Managing accounts (`users`: the list, adding, disabling, resetting) is
 * the administrator's alone, and the store confines it to their subtree,
 * so a district gets its own account management by having an `admin`
 * scoped to the district. The standing office (`office`) does not manage
 * the accounts of the communes below it, although it is "above" them:
 * resetting a commune officer's password is logging in as that officer,
 * which would hand the office the `review` and `recognise` steps it does
 * not hold, and let one person both submit and recognise a round through
 * two accounts (quality.md S2: the submitter does not approve); M13 wants
 * roles enforced in one place, and a role that can mint accounts of other
 * roles is no longer one. The office asks its administrator, as it asks
 * for any change of units.
 */
#include "web.h"

#include <string.h>

static const char *const PERMS[GNBV_PERM_COUNT] = {"public",    "user",   "dashboard", "personal",
                                                   "edit",      "plan",   "plan_edit", "review",
                                                   "recognise", "reopen", "users"};

/* Bit r set: role r holds the permission. */
#define R(x) (1u << GNBV_ROLE_##x)
static const unsigned HOLDERS[GNBV_PERM_COUNT] = {
    [GNBV_PERM_PUBLIC] = 0xFFu,
    [GNBV_PERM_USER] = 0xFFu,
    [GNBV_PERM_DASH] = 0xFFu,
    [GNBV_PERM_PERSONAL] = R(ADMIN) | R(OFFICE) | R(COMMUNE),
    [GNBV_PERM_EDIT] = R(ADMIN) | R(OFFICE) | R(COMMUNE),
    [GNBV_PERM_PLAN] = 0xFFu,
    [GNBV_PERM_PLAN_EDIT] = R(ADMIN) | R(OFFICE) | R(FINANCE),
    [GNBV_PERM_REVIEW] = R(ADMIN) | R(COMMUNE),
    [GNBV_PERM_RECOGNISE] = R(ADMIN) | R(COMMUNE),
    [GNBV_PERM_REOPEN] = R(ADMIN) | R(OFFICE),
    [GNBV_PERM_USERS] = R(ADMIN),
};

const char *gnbv_perm_name(int perm)
{
	return perm >= 0 && perm < GNBV_PERM_COUNT ? PERMS[perm] : "?";
}

int gnbv_perm_allows(int perm, int role)
{
	if (perm < 0 || perm >= GNBV_PERM_COUNT || role < 0 || role >= GNBV_ROLE_COUNT) return 0;
	return (HOLDERS[perm] >> role) & 1u;
}

/* Rows leave the last column (cached) out for 0. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const gnbv_web_route GNBV_WEB_ROUTES[] = {
    {"GET", "/", gnbv_page_home, GNBV_PERM_USER, "start page: to the dashboard"},
    {"GET", "/login", gnbv_page_login_form, GNBV_PERM_PUBLIC, "the login form"},
    {"POST", "/login", gnbv_page_login, GNBV_PERM_PUBLIC, "log in (name, password)"},
    {"POST", "/logout", gnbv_page_logout, GNBV_PERM_USER, "log out: the session ends"},
    {"GET", "/account", gnbv_page_account, GNBV_PERM_USER,
     "my account: name, role, unit, last login; the form to change my password"},
    {"POST", "/account/password", gnbv_page_account_password, GNBV_PERM_USER,
     "change my password (current, new twice): my other sessions end, this one gets a new "
     "token"},
    {"GET", "/users", gnbv_page_users, GNBV_PERM_USERS,
     "the accounts of the user's units: role, unit, state, created, last login"},
    {"GET", "/users.csv", gnbv_page_users_csv, GNBV_PERM_USERS,
     "the same list as CSV (an audited export)"},
    {"GET", "/users/new", gnbv_page_user_new_form, GNBV_PERM_USERS,
     "the form to add an account: name, role, a unit of the user's, initial password twice"},
    {"POST", "/users/new", gnbv_page_user_new, GNBV_PERM_USERS,
     "add the account (audited); errors shown on the form"},
    {"GET", "/user/*", gnbv_page_user, GNBV_PERM_USERS,
     "an account (by its number, never its name): state, dates, disable and reset forms"},
    {"POST", "/user/*/disable", gnbv_page_user_disable, GNBV_PERM_USERS,
     "disable the account (audited): its sessions end at once"},
    {"POST", "/user/*/reset", gnbv_page_user_reset, GNBV_PERM_USERS,
     "a new password typed twice (audited): the account is enabled, its sessions end"},
    {"GET", "/static/*", gnbv_page_static, GNBV_PERM_PUBLIC, "the style sheet"},
    {"GET", "/dashboard", gnbv_page_dashboard, GNBV_PERM_DASH,
     "counts and rates by child unit, deficits, change between rounds (?unit=&round=)", 1},
    {"GET", "/dashboard.csv", gnbv_page_dashboard_csv, GNBV_PERM_DASH,
     "the dashboard's table as CSV"},
    {"GET", "/households", gnbv_page_households, GNBV_PERM_PERSONAL,
     "household list (?unit=&class=&indicator=&round=&page=)"},
    {"GET", "/households.csv", gnbv_page_households_csv, GNBV_PERM_PERSONAL,
     "the filtered list as CSV (an audited export)"},
    {"POST", "/search", gnbv_page_search, GNBV_PERM_PERSONAL,
     "name search ignoring diacritics (the name is posted, never in a URL)"},
    {"GET", "/household/*", gnbv_page_household, GNBV_PERM_PERSONAL,
     "a household: members, assessment and reason, history (?round=)"},
    {"GET", "/household/*/edit", gnbv_page_household_edit_form, GNBV_PERM_EDIT,
     "the edit form of a household and its members"},
    {"POST", "/household/*/edit", gnbv_page_household_edit, GNBV_PERM_EDIT,
     "save: validated, re-classified, audited"},
    {"GET", "/reviews", gnbv_page_reviews, GNBV_PERM_DASH,
     "the review rounds' progress by commune (?round=): steps, decisions, reopenings", 1},
    {"GET", "/review/*/*", gnbv_page_review, GNBV_PERM_PERSONAL,
     "a commune's round of a year: state, list, meetings and votes, posting, complaints, "
     "decision, ad-hoc requests; the forms of the steps it can take"},
    {"POST", "/review/*/*/open", gnbv_page_review_open, GNBV_PERM_REVIEW,
     "step 1 begins: the list of the households on the current lists"},
    {"POST", "/review/*/*/apply", gnbv_page_review_apply, GNBV_PERM_REVIEW,
     "step 1: a household's application (household, date, applicant, note)"},
    {"POST", "/review/*/*/remove", gnbv_page_review_remove, GNBV_PERM_REVIEW,
     "step 1: a household withdrawn from the list (household, reason)"},
    {"POST", "/review/*/*/survey", gnbv_page_review_survey, GNBV_PERM_REVIEW,
     "step 2 begins: the list is closed, surveys go in"},
    {"POST", "/review/*/*/meeting", gnbv_page_review_meeting, GNBV_PERM_REVIEW,
     "step 3: a village meeting (village, date, chair, participants) and its votes (v_CODE)"},
    {"POST", "/review/*/*/vote", gnbv_page_review_vote, GNBV_PERM_REVIEW,
     "step 3: a household's vote at a recorded meeting (after surveying it again)"},
    {"POST", "/review/*/*/post", gnbv_page_review_post, GNBV_PERM_REVIEW,
     "step 4 begins: public posting (start, end)"},
    {"POST", "/review/*/*/complain", gnbv_page_review_complain, GNBV_PERM_REVIEW,
     "step 4: a complaint (household, date, complainant, text)"},
    {"POST", "/review/*/*/resolve", gnbv_page_review_resolve, GNBV_PERM_REVIEW,
     "step 4: a complaint's resolution (complaint, date, resolution)"},
    {"POST", "/review/*/*/submit", gnbv_page_review_submit, GNBV_PERM_REVIEW,
     "step 5: reported for recognition: the round is locked"},
    {"POST", "/review/*/*/recognise", gnbv_page_review_recognise, GNBV_PERM_RECOGNISE,
     "step 5: recognition (decision number, date, signer), not by the submitter"},
    {"POST", "/review/*/*/reopen", gnbv_page_review_reopen, GNBV_PERM_REOPEN,
     "reopen a locked round with a reason: the level above only"},
    {"POST", "/review/*/*/adhoc", gnbv_page_review_adhoc, GNBV_PERM_REVIEW,
     "an ad-hoc request (household, date, reason): due by the deadline"},
    {"POST", "/review/*/*/decide", gnbv_page_review_decide, GNBV_PERM_REVIEW,
     "the decision on an ad-hoc request (request, round date, date, number, signer)"},
    {"GET", "/review/*/*/escape", gnbv_page_review_escape, GNBV_PERM_PERSONAL,
     "the households expected to escape poverty that year: deficits, components, helper, "
     "support"},
    {"POST", "/review/*/*/escape-mark", gnbv_page_escape_mark, GNBV_PERM_REVIEW,
     "mark a poor or near-poor household as expected to escape that year (household)"},
    {"POST", "/review/*/*/escape-assign", gnbv_page_escape_assign, GNBV_PERM_REVIEW,
     "assign its helper, a member of the commune board (household, helper, position)"},
    {"POST", "/review/*/*/escape-support", gnbv_page_escape_support, GNBV_PERM_REVIEW,
     "record support given (household, what, date, amount in VND, component)"},
    {"GET", "/summary/*/*", gnbv_page_summary, GNBV_PERM_DASH,
     "the review's summary form of a unit (any level) and year, consolidated up the tree", 1},
    {"GET", "/plans", gnbv_page_plans, GNBV_PERM_PLAN, "the plans of the user's units", 1},
    {"GET", "/plan/*/*", gnbv_page_plan, GNBV_PERM_PLAN,
     "a plan (unit, year proposed): tables by project, capital type, source and stage; checks",
     1},
    {"GET", "/plan/*/*/edit", gnbv_page_plan_edit_form, GNBV_PERM_PLAN_EDIT,
     "the budget lines' edit form, with the checks"},
    {"POST", "/plan/*/*/edit", gnbv_page_plan_edit, GNBV_PERM_PLAN_EDIT,
     "save changed budget lines (each audited)"},
    {"GET", "/plan/*/*/xlsx", gnbv_page_plan_xlsx, GNBV_PERM_PLAN, "the biểu chi tiết (XLSX)"},
    {"GET", "/plan/*/*/docx", gnbv_page_plan_docx, GNBV_PERM_PLAN, "the Kế hoạch (DOCX)"},
    /* The review and plan screens of pages_more.c, and every list as CSV:
     * lists of households are personal data (their downloads audited);
     * the summary form, the rounds' progress and the plans are not. */
    {"GET", "/summary/*/*/csv", gnbv_page_summary_csv, GNBV_PERM_DASH,
     "the summary form as CSV (what `gnbv review summary --format csv` prints)"},
    {"GET", "/summary/*/*/xlsx", gnbv_page_summary_xlsx, GNBV_PERM_DASH,
     "the summary form as XLSX (what `gnbv review summary --format xlsx` writes)"},
    {"GET", "/review/*/*/transitions", gnbv_page_transitions, GNBV_PERM_PERSONAL,
     "a commune's transitions from its previous recognised round: counts by kind and move, "
     "the households concerned"},
    {"GET", "/review/*/*/transitions.csv", gnbv_page_transitions_csv, GNBV_PERM_PERSONAL,
     "every household's transition as CSV (an audited export)"},
    {"GET", "/review/*/*/certificates", gnbv_page_certificates, GNBV_PERM_PERSONAL,
     "the printable certificates of a recognised round's poor and near-poor households"},
    {"GET", "/certificate/*/*", gnbv_page_certificate, GNBV_PERM_PERSONAL,
     "a household's printable certificate (household code, year of the round)"},
    {"GET", "/reviews.csv", gnbv_page_reviews_csv, GNBV_PERM_DASH,
     "the review rounds' progress as CSV (?round=)"},
    {"GET", "/review/*/*/list.csv", gnbv_page_review_list_csv, GNBV_PERM_PERSONAL,
     "a round's list and surveyed households as CSV (an audited export)"},
    {"GET", "/review/*/*/escape.csv", gnbv_page_escape_csv, GNBV_PERM_PERSONAL,
     "the households expected to escape poverty as CSV (an audited export)"},
    {"GET", "/plans.csv", gnbv_page_plans_csv, GNBV_PERM_PLAN, "the plans as CSV"},
    {"GET", "/plan/*/*/csv", gnbv_page_plan_csv, GNBV_PERM_PLAN, "a plan's budget lines as CSV"},
    {"POST", "/plan/*/*/document", gnbv_page_plan_document, GNBV_PERM_PLAN_EDIT,
     "the plan document's number, date, signer and status (validated; audited)"},
};
#pragma GCC diagnostic pop
const size_t GNBV_WEB_NROUTES = sizeof GNBV_WEB_ROUTES / sizeof GNBV_WEB_ROUTES[0];
