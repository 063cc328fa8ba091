/*
 * review_xlsx.c - the result summary form of the review as an XLSX
 * workbook (libxlsxwriter), for officers to print, sign and send up.
 *
 * One sheet: a title with the year and the unit, the columns of
 * review_form.c with Vietnamese headings, one row per unit and area (the
 * top unit first, the units below indented), numbers stored as numbers:
 * counts as #,##0 and shares as 0.00% (a fraction), which a spreadsheet
 * shows with the reader's separators (5.546 and 39,59% on a Vietnamese
 * system, as the province's reports write them). The official layout
 * (Circular 07/2021/TT-BLĐTBXH's forms) was not found: the note row says
 * so.
 */
#include "review_doc.h"

#include "gnbv/error.h"

#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

int gnbv_review_summary_xlsx(const gnbv_summary *sm, const char *title_unit, const char *path)
{
	lxw_workbook *wb = workbook_new(path);
	if (!wb) return gnbv_error_set(GNBV_EIO, "%s: cannot create the workbook", path);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Tổng hợp");
	lxw_format *title = workbook_add_format(wb), *head = workbook_add_format(wb),
	           *num = workbook_add_format(wb), *pct = workbook_add_format(wb),
	           *text = workbook_add_format(wb), *bold = workbook_add_format(wb),
	           *note = workbook_add_format(wb);
	format_set_bold(title);
	format_set_font_size(title, 13);
	format_set_bold(head);
	format_set_text_wrap(head);
	format_set_align(head, LXW_ALIGN_CENTER);
	format_set_align(head, LXW_ALIGN_VERTICAL_CENTER);
	format_set_border(head, LXW_BORDER_THIN);
	format_set_num_format(num, "#,##0");
	format_set_border(num, LXW_BORDER_THIN);
	format_set_num_format(pct, "0.00%");
	format_set_border(pct, LXW_BORDER_THIN);
	format_set_border(text, LXW_BORDER_THIN);
	format_set_border(bold, LXW_BORDER_THIN);
	format_set_bold(bold);
	format_set_italic(note);

	char buf[512];
	snprintf(buf, sizeof buf, "BIỂU TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM %d",
	         sm->year);
	worksheet_write_string(ws, 0, 0, buf, title);
	snprintf(buf, sizeof buf, "Đơn vị: %s%s%d", title_unit ? title_unit : "",
	         sm->prev_year ? " — đầu năm theo kết quả rà soát năm " : " — năm trước: ",
	         sm->prev_year ? sm->prev_year : sm->year - 1);
	worksheet_write_string(ws, 1, 0, buf, NULL);
	worksheet_write_string(ws, 2, 0,
	                       "Ghi chú: mẫu biểu chính thức (Thông tư 07/2021/TT-BLĐTBXH) chưa "
	                       "được đối chiếu; tỷ lệ thay đổi tính trên tổng số hộ đầu năm.",
	                       note);

	size_t n;
	const gnbv_form_col *c = gnbv_review_form_cols(&n);
	const int hr = 4;
	worksheet_set_row(ws, hr, 60, NULL);
	worksheet_write_string(ws, hr, 0, "Mã đơn vị", head);
	worksheet_write_string(ws, hr, 1, "Đơn vị", head);
	worksheet_write_string(ws, hr, 2, "Khu vực", head);
	for (size_t k = 0; k < n; k++)
		worksheet_write_string(ws, hr, (lxw_col_t)(3 + k), c[k].vi, head);
	worksheet_set_column(ws, 0, 0, 10, NULL);
	worksheet_set_column(ws, 1, 1, 28, NULL);
	worksheet_set_column(ws, 2, 2, 11, NULL);
	worksheet_set_column(ws, 3, (lxw_col_t)(2 + n), 12, NULL);
	worksheet_freeze_panes(ws, hr + 1, 3);

	for (size_t i = 0; i < sm->n; i++) {
		const gnbv_summary_row *r = &sm->rows[i];
		lxw_row_t row = (lxw_row_t)(hr + 1 + i);
		char name[GNBV_STORE_NAME_MAX + 64];
		int ind = r->depth * 2 < 16 ? r->depth * 2 : 16;
		snprintf(name, sizeof name, "%*s%s%s", ind, "", r->unit_name,
		         r->level[0] && !strcmp(r->level, "commune") && !r->rounds
		             ? " (chưa có kết quả công nhận)"
		             : "");
		lxw_format *tf = r->area == GNBV_SUM_TOTAL ? bold : text;
		worksheet_write_string(ws, row, 0, r->unit_code, tf);
		worksheet_write_string(ws, row, 1, name, tf);
		worksheet_write_string(ws, row, 2, gnbv_review_area_label(r->area, 0), tf);
		for (size_t k = 0; k < n; k++) {
			uint64_t v = c[k].value(r);
			lxw_col_t col = (lxw_col_t)(3 + k);
			if (c[k].kind == GNBV_COL_COUNT) {
				worksheet_write_number(ws, row, col, (double)v, num);
			} else {
				uint64_t d = c[k].denom(r);
				worksheet_write_number(ws, row, col,
				                       d ? (double)v / (double)d : 0.0, pct);
			}
		}
	}
	lxw_error e = workbook_close(wb);
	if (e != LXW_NO_ERROR) return gnbv_error_set(GNBV_EIO, "%s: %s", path, lxw_strerror(e));
	return 0;
}
