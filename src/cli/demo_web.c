/*
 * demo_web.c - the demo's web accounts, for `make demo` only: `gnbv serve
 * --demo-accounts` calls this before serving the demo database. It
 * creates (or, on a second run, resets) three accounts with one fresh
 * random password, and prints the address and the logins: `demo`, the
 * district's standing office (Hà Quảng, 045), `demo-xa`, the officer of the
 * commune Cần Yên (01366), to show what a unit scope hides, and
 * `demo-admin`, the district's administrator, whose user screens manage
 * the district's accounts (and only those). These are the
 * only default accounts there are (quality.md S5): nothing else creates
 * an account without an administrator typing its password.
 *
 * The demo's review rounds are all recognised, hence locked (quality.md
 * S2). So that a newcomer can try an edit, `demo` (the level above)
 * reopens Cần Yên's 2022 round with a reason, as an officer would: the
 * reopening is in the audit log, and every other commune stays locked.
 */
#include "cli.h"
#include "cmd_db.h"
#include "demo_web.h"

#include "gnbv/accounts.h"
#include "gnbv/error.h"
#include "gnbv/review.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* 16 letters and digits without look-alikes (0/O, 1/l/I), in 4 groups. */
static void demo_password(char out[20])
{
	static const char ALPHA[] = "abcdefghijkmnpqrstuvwxyz23456789";
	size_t w = 0;
	for (int i = 0; i < 16; i++) {
		if (i && i % 4 == 0) out[w++] = '-';
		out[w++] = ALPHA[randombytes_uniform(sizeof ALPHA - 1)];
	}
	out[w] = '\0';
}

int gnbv_demo_web_accounts(const gnbv_cli *g, const char *listen)
{
	static const struct {
		const char *name, *unit;
		int role;
	} ACCOUNTS[] = {{"demo", "045", GNBV_ROLE_OFFICE},
	                {"demo-xa", "01366", GNBV_ROLE_COMMUNE},
	                {"demo-admin", "045", GNBV_ROLE_ADMIN}};
	gnbv_store *s = NULL;
	gnbv_scope all;
	char pw[20];
	int rc;
	int64_t now = (int64_t)time(NULL);
	gnbv_store_scope_all(&all);
	demo_password(pw);
	if ((rc = gnbv_cli_open_store(g, 0, &s))) return gnbv_cli_fail(rc);
	for (size_t i = 0; i < sizeof ACCOUNTS / sizeof ACCOUNTS[0]; i++) {
		gnbv_user u;
		rc = gnbv_account_get(s, ACCOUNTS[i].name, &u) == 0
		         ? gnbv_account_set_password(s, &all, ACCOUNTS[i].name, pw, 1, now)
		         : gnbv_account_add(s, &all, ACCOUNTS[i].name, ACCOUNTS[i].role,
		                            ACCOUNTS[i].unit, pw, now);
		if (rc) break;
	}
	int reopened = 0;
	if (!rc) {
		gnbv_review_params prm;
		gnbv_review_actor who = {"demo", {0, ""}};
		gnbv_review_status st;
		if ((rc = gnbv_review_params_load(&prm, NULL)) == 0 &&
		    (rc = gnbv_store_scope_unit(s, "045", 0, &who.scope)) == 0 &&
		    gnbv_review_status_get(s, &who.scope, "01366", 2022, &st) == 0 &&
		    (st.step == GNBV_STEP_SUBMITTED || st.step == GNBV_STEP_RECOGNISED)) {
			rc = gnbv_review_reopen(s, &who, &prm, "01366", 2022,
			                        "Mở lại để thử sửa hồ sơ trong bản demo");
			reopened = rc == 0;
		}
	}
	gnbv_store_close(s);
	if (rc) return gnbv_cli_fail(rc);
	if (reopened)
		printf("\nVòng rà soát 2022 của xã Cần Yên được mở lại để thử sửa hồ sơ; các xã "
		       "khác đã "
		       "khóa.\n(Cần Yên's 2022 round is reopened to try edits; other communes are "
		       "locked.)\n");
	printf("\nĐịa chỉ / address:  http://%s/\n"
	       "Đăng nhập / login:  demo / %s      (Phòng LĐTBXH huyện Hà Quảng)\n"
	       "                    demo-xa / %s   (cán bộ xã Cần Yên)\n"
	       "                    demo-admin / %s   (quản trị tài khoản huyện / the district's "
	       "administrator)\n"
	       "Ctrl-C dừng máy chủ / stops the server.\n\n",
	       listen, pw, pw, pw);
	fflush(stdout);
	sodium_memzero(pw, sizeof pw);
	return EXIT_OK;
}
