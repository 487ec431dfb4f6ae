"""The 事前绩效评估报告 of one assessment as an Excel workbook: the item, the score table, the conclusion and
the opinions it rests on (experts by alias for readers outside the bureau-wide roles)."""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ..models import User
from ..models.ex_ante import (BASES, CONCLUSION_LABELS, DIMENSION_POINTS, DIMENSIONS, ITEM_KINDS, MATERIALS,
                              SUB_ITEM_POINTS, ExAnteAssessment, dimension_name)
from . import ex_ante
from .rectification import LOCAL

OPINION_KINDS = {"signoff": "部门负责人审核", "organize": "绩效科组织评审", "finance": "业务科室意见",
                 "expert": "专家评审意见", "third_party": "第三方评估报告", "third_party_check": "第三方报告审核",
                 "score": "综合评估意见"}
THIN = Side(style="thin")


def filename(assessment: ExAnteAssessment) -> str:
    return f"事前绩效评估报告-{assessment.project.code}-{assessment.id}.xlsx"


def _boxed(sheet, first_row: int) -> None:
    for row in sheet.iter_rows(min_row=first_row, max_row=sheet.max_row, max_col=5):
        for cell in row:
            cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
            cell.alignment = Alignment(vertical="top", wrap_text=True)


def _heading(sheet, text: str) -> None:
    sheet.append([])
    sheet.append([text])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=12)


def build(viewer: User, assessment: ExAnteAssessment) -> BytesIO:
    project = assessment.project
    book = Workbook()
    sheet = book.active
    sheet.title = "评估报告"
    sheet.append([f"{project.name} 事前绩效评估报告"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")

    _heading(sheet, "一、评估对象基本情况")
    first = sheet.max_row + 1
    for label, value in (("项目编码", project.code), ("项目名称", project.name), ("主管/实施部门", project.department.name),
                         ("预算年度", project.fiscal_year), ("申请金额（万元）", f"{project.amount:.2f}"),
                         ("评估对象类型", ITEM_KINDS.get(assessment.item_kind, assessment.item_kind)),
                         ("评估情形", BASES.get(assessment.basis, assessment.basis)),
                         ("基本情况", assessment.summary or "")):
        sheet.append([label, value])
        sheet.merge_cells(start_row=sheet.max_row, start_column=2, end_row=sheet.max_row, end_column=5)
    pack = ex_ante.current_materials(assessment)
    sheet.append(["评估材料", "；".join(f"{MATERIALS[k]}：{files[0].attachment.filename}"
                                    for k, files in pack.items() if files) or "（无）"])
    sheet.merge_cells(start_row=sheet.max_row, start_column=2, end_row=sheet.max_row, end_column=5)
    _boxed(sheet, first)

    _heading(sheet, "二、综合评估情况（评分表）")
    sheet.append(["评估维度", "评分小项", "分值", "等级", "得分"])
    first = sheet.max_row
    for cell in sheet[first]:
        cell.font = Font(bold=True)
    grades = assessment.sub_grades or {}
    ratios = assessment.grade_ratios or {}
    for code, spec in DIMENSIONS.items():
        for item, label in spec["items"].items():
            grade = grades.get(f"{code}.{item}")
            points = round(SUB_ITEM_POINTS * float(ratios.get(grade, 0)), 2) if grade else None
            sheet.append([dimension_name(code, assessment.item_kind), label, SUB_ITEM_POINTS, grade or "", points])
        subtotal = (assessment.dimension_scores or {}).get(code)
        sheet.append([dimension_name(code, assessment.item_kind), "小计", DIMENSION_POINTS, "",
                      float(subtotal) if subtotal is not None else None])
        sheet.cell(row=sheet.max_row, column=2).font = Font(bold=True)
    sheet.append(["合计", "", DIMENSION_POINTS * len(DIMENSIONS), "",
                  float(assessment.score) if assessment.score is not None else None])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    _boxed(sheet, first)

    _heading(sheet, "三、评估结论")
    first = sheet.max_row + 1
    sheet.append(["结论", CONCLUSION_LABELS.get(assessment.conclusion or "", "尚未形成结论")])
    sheet.merge_cells(start_row=sheet.max_row, start_column=2, end_row=sheet.max_row, end_column=5)
    if assessment.conditions:
        sheet.append(["支持条件", assessment.conditions])
        sheet.merge_cells(start_row=sheet.max_row, start_column=2, end_row=sheet.max_row, end_column=5)
    if assessment.concluded_at:
        sheet.append(["结论日期", f"{assessment.concluded_at.astimezone(LOCAL):%Y-%m-%d}"])
        sheet.merge_cells(start_row=sheet.max_row, start_column=2, end_row=sheet.max_row, end_column=5)
    _boxed(sheet, first)

    _heading(sheet, "四、部门自评与各方意见")
    sheet.append(["环节", "提出人", "建议/决定", "意见", ""])
    first = sheet.max_row
    if assessment.self_report:
        sheet.append(["部门自评报告", project.department.name, "", assessment.self_report])
    for shown in ex_ante.opinions_for(assessment, viewer):
        o = shown["opinion"]
        decision = CONCLUSION_LABELS.get(o.decision or "", o.decision or "")
        sheet.append([OPINION_KINDS.get(o.kind, o.kind), shown["author"], decision, o.text])
    for row in range(first, sheet.max_row + 1):
        sheet.merge_cells(start_row=row, start_column=4, end_row=row, end_column=5)
    _boxed(sheet, first)

    for index, width in enumerate((18, 24, 12, 40, 12), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.page_setup.fitToWidth = 1
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out
