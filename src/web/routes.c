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
 */
#include "web.h"

#include <string.h>

static const char *const PERMS[GNBV_PERM_COUNT] = {"public", "user", "dashboard", "personal",
                                                   "edit",   "plan", "plan_edit"};

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

const gnbv_web_route GNBV_WEB_ROUTES[] = {
    {"GET", "/", gnbv_page_home, GNBV_PERM_USER, "start page: to the dashboard"},
    {"GET", "/login", gnbv_page_login_form, GNBV_PERM_PUBLIC, "the login form"},
    {"POST", "/login", gnbv_page_login, GNBV_PERM_PUBLIC, "log in (name, password)"},
    {"POST", "/logout", gnbv_page_logout, GNBV_PERM_USER, "log out: the session ends"},
    {"GET", "/static/*", gnbv_page_static, GNBV_PERM_PUBLIC, "the style sheet"},
    {"GET", "/dashboard", gnbv_page_dashboard, GNBV_PERM_DASH,
     "counts and rates by child unit, deficits, change between rounds (?unit=&round=)"},
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
     "the review rounds' progress by commune (?round=): steps, decisions, reopenings"},
    {"GET", "/plans", gnbv_page_plans, GNBV_PERM_PLAN, "the plans of the user's units"},
    {"GET", "/plan/*/*", gnbv_page_plan, GNBV_PERM_PLAN,
     "a plan (unit, year proposed): tables by project, capital type, source and stage; checks"},
    {"GET", "/plan/*/*/edit", gnbv_page_plan_edit_form, GNBV_PERM_PLAN_EDIT,
     "the budget lines' edit form, with the checks"},
    {"POST", "/plan/*/*/edit", gnbv_page_plan_edit, GNBV_PERM_PLAN_EDIT,
     "save changed budget lines (each audited)"},
    {"GET", "/plan/*/*/xlsx", gnbv_page_plan_xlsx, GNBV_PERM_PLAN, "the biểu chi tiết (XLSX)"},
    {"GET", "/plan/*/*/docx", gnbv_page_plan_docx, GNBV_PERM_PLAN, "the Kế hoạch (DOCX)"},
};
const size_t GNBV_WEB_NROUTES = sizeof GNBV_WEB_ROUTES / sizeof GNBV_WEB_ROUTES[0];
