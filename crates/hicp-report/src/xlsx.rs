//! The report as a workbook the team can work from: sheets Summary, Findings, Action Plan and
//! Crosswalk. Every sheet is one table with a frozen, bold header row and an autofilter; dates
//! are real date cells, amounts real numbers, and text cells are guarded against formula
//! injection. Names carry the mark of [`crate::titles`] and, where a sheet lists sub-practices,
//! a column saying how sure the catalog is of the wording; the Summary sheet explains the marks.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use time::Date;

use crate::guard::formula_safe;
use crate::model::{ReportModel, dollars};
use crate::{ReportError, ReportInput};

/// The sheet names, in order.
pub const SHEETS: [&str; 5] = [
    "Summary",
    "Findings",
    "Action Plan",
    "Crosswalk",
    "Evidence",
];

/// One cell's value; the sheet writer picks the Excel type and format from it.
enum Cell {
    Text(String),
    Number(f64),
    Dollars(u64),
    Date(Date),
    Empty,
}

impl Cell {
    fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }
    fn opt_text(value: &Option<String>) -> Cell {
        value
            .as_ref()
            .map_or(Cell::Empty, |v| Cell::text(v.as_str()))
    }
    fn opt_date(value: Option<Date>) -> Cell {
        value.map_or(Cell::Empty, Cell::Date)
    }
    fn yes_no(value: bool) -> Cell {
        Cell::text(if value { "yes" } else { "no" })
    }
}

/// A column: header text and width in characters.
struct Column(&'static str, f64);

/// One sheet: its name, columns and data rows.
struct Table {
    name: &'static str,
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
}

struct Formats {
    header: Format,
    date: Format,
    dollars: Format,
    number: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_background_color("#DDE6F0")
                .set_text_wrap(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            dollars: Format::new().set_num_format("$#,##0"),
            number: Format::new().set_num_format("0.0"),
            wrap: Format::new().set_text_wrap(),
        }
    }
}

fn xlsx_error(error: XlsxError) -> ReportError {
    ReportError::Xlsx(error.to_string())
}

/// Renders the workbook.
pub fn render(input: &ReportInput<'_>) -> Result<Vec<u8>, ReportError> {
    render_model(&ReportModel::build(input))
}

/// Renders an already built model.
pub fn render_model(model: &ReportModel) -> Result<Vec<u8>, ReportError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    let tables = [
        Table {
            name: SHEETS[0],
            columns: summary_columns(),
            rows: summary_rows(model),
        },
        Table {
            name: SHEETS[1],
            columns: findings_columns(),
            rows: findings_rows(model),
        },
        Table {
            name: SHEETS[2],
            columns: plan_columns(),
            rows: plan_rows(model),
        },
        Table {
            name: SHEETS[3],
            columns: crosswalk_columns(),
            rows: crosswalk_rows(model),
        },
        Table {
            name: SHEETS[4],
            columns: evidence_columns(),
            rows: evidence_rows(model),
        },
    ];
    for table in &tables {
        write_table(workbook.add_worksheet(), table, &formats).map_err(xlsx_error)?;
    }
    let properties = rust_xlsxwriter::DocProperties::new()
        .set_title(format!(
            "HICP assessment: {}",
            model.header.organization.as_str()
        ))
        .set_subject(model.header.assessment_label.as_str())
        .set_company(model.header.organization.as_str())
        .set_creation_datetime(&excel_date(model.header.generated_on).map_err(xlsx_error)?);
    workbook.set_properties(&properties);
    workbook.save_to_buffer().map_err(xlsx_error)
}

fn excel_date(date: Date) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(date.year()).map_err(|_| {
        XlsxError::ParameterError(format!("year {} is outside Excel's range", date.year()))
    })?;
    ExcelDateTime::from_ymd(year, u8::from(date.month()), date.day())
}

fn write_table(sheet: &mut Worksheet, table: &Table, formats: &Formats) -> Result<(), XlsxError> {
    let Table {
        name,
        columns,
        rows,
    } = table;
    sheet.set_name(*name)?;
    for (index, Column(header, width)) in columns.iter().enumerate() {
        let col = column_number(index)?;
        sheet.write_string_with_format(0, col, *header, &formats.header)?;
        sheet.set_column_width(col, *width)?;
    }
    for (row_index, row) in rows.iter().enumerate() {
        let row_number = u32::try_from(row_index + 1)
            .map_err(|_| XlsxError::ParameterError("too many rows".to_string()))?;
        for (index, cell) in row.iter().enumerate() {
            let col = column_number(index)?;
            match cell {
                Cell::Text(text) => {
                    // Long text wraps so notes stay readable without widening the column.
                    let safe = formula_safe(text);
                    if safe.len() > 40 {
                        sheet.write_string_with_format(row_number, col, safe, &formats.wrap)?;
                    } else {
                        sheet.write_string(row_number, col, safe)?;
                    }
                }
                Cell::Number(value) => {
                    sheet.write_number_with_format(row_number, col, *value, &formats.number)?;
                }
                Cell::Dollars(amount) => {
                    // Dollar estimates are far below 2^53, so the f64 is exact.
                    sheet.write_number_with_format(
                        row_number,
                        col,
                        *amount as f64,
                        &formats.dollars,
                    )?;
                }
                Cell::Date(date) => {
                    sheet.write_datetime_with_format(
                        row_number,
                        col,
                        excel_date(*date)?,
                        &formats.date,
                    )?;
                }
                Cell::Empty => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_row = u32::try_from(rows.len())
        .map_err(|_| XlsxError::ParameterError("too many rows".to_string()))?;
    sheet.autofilter(
        0,
        0,
        last_row,
        column_number(columns.len().saturating_sub(1))?,
    )?;
    Ok(())
}

fn column_number(index: usize) -> Result<u16, XlsxError> {
    u16::try_from(index).map_err(|_| XlsxError::ParameterError("too many columns".to_string()))
}

fn summary_columns() -> Vec<Column> {
    vec![
        Column("Section", 14.0),
        Column("Item", 48.0),
        Column("Value", 16.0),
        Column("Detail", 90.0),
    ]
}

fn summary_rows(model: &ReportModel) -> Vec<Vec<Cell>> {
    let h = &model.header;
    let s = &model.summary;
    let fact = |item: &str, value: Cell, detail: &str| {
        vec![
            Cell::text("Assessment"),
            Cell::text(item),
            value,
            Cell::text(detail),
        ]
    };
    let mut rows = vec![
        fact("Organization", Cell::text(h.organization.as_str()), ""),
        fact("Assessment", Cell::text(h.assessment_label.as_str()), ""),
        fact("As of", Cell::Date(h.as_of), ""),
        fact("Report date", Cell::Date(h.generated_on), ""),
        fact(
            "Tier",
            Cell::text(h.tier.as_str()),
            &if h.tier_overridden {
                format!(
                    "chosen by the organization; recommended: {}",
                    h.tier_recommended
                )
            } else {
                "recommended from the organization's size".to_string()
            },
        ),
        fact(
            "Catalog edition",
            Cell::text(h.catalog_edition.as_str()),
            &format!("{} (version {})", h.catalog_edition_name, h.catalog_version),
        ),
        fact(
            "Overall score (0-100)",
            Cell::Number(s.overall_score),
            &s.paragraph,
        ),
        fact(
            "Total residual risk (of 125)",
            Cell::Number(s.overall_risk),
            "",
        ),
        fact(
            "Applicable safeguards",
            Cell::Number(s.applicable as f64),
            "",
        ),
        fact("Implemented", Cell::Number(s.implemented as f64), ""),
        fact("Not answered", Cell::Number(s.unknown as f64), ""),
        fact("Gaps", Cell::Number(s.gaps as f64), ""),
        fact(
            "In place for the last 12 months",
            Cell::Number(model.in_place.covered as f64),
            &model.in_place.statement,
        ),
        fact("Names", Cell::Empty, &model.catalog_notes.title_legend),
    ];
    for p in &model.practices {
        rows.push(vec![
            Cell::text("Practice"),
            Cell::text(format!("{}. {}", p.id, p.title)),
            p.score.map_or(Cell::Empty, Cell::Number),
            Cell::text(format!(
                "{} of {} applicable safeguards implemented{}",
                p.implemented,
                p.applicable,
                p.level
                    .map(|l| format!("; {}", l.label()))
                    .unwrap_or_default()
            )),
        ]);
    }
    for t in &model.threats {
        rows.push(vec![
            Cell::text("Threat"),
            Cell::text(format!("{}. {}", t.id, t.name)),
            Cell::Number(t.residual_risk),
            Cell::text(format!(
                "residual risk {} ({}); likelihood {:.1}, impact {:.1}, coverage {:.0}%",
                crate::escape::num(t.residual_risk),
                t.level_label,
                t.likelihood,
                t.impact,
                t.coverage
            )),
        ]);
    }
    for a in &s.top_actions {
        rows.push(vec![
            Cell::text("Top action"),
            Cell::text(format!("{}. {} {}", a.rank, a.id, a.title)),
            Cell::Number(a.risk_reduction),
            Cell::text(format!(
                "risk removed; cost {} ({} band); {}",
                dollars(a.estimated_cost),
                a.cost,
                a.why
            )),
        ]);
    }
    rows
}

fn findings_columns() -> Vec<Column> {
    vec![
        Column("ID", 8.0),
        Column("Practice", 28.0),
        Column("Sub-practice", 40.0),
        Column("Name confidence", 12.0),
        Column("Tier", 8.0),
        Column("Scope", 13.0),
        Column("Status", 20.0),
        Column("Score", 7.0),
        Column("Owner", 20.0),
        Column("Note", 50.0),
        Column("Evidence", 40.0),
        Column("Not applicable because", 30.0),
        Column("Status since", 12.0),
        Column("In place since", 12.0),
        Column("In place 12 months", 10.0),
        Column("Gap rank", 8.0),
        Column("Catalog entry verified", 10.0),
    ]
}

fn findings_rows(model: &ReportModel) -> Vec<Vec<Cell>> {
    model
        .findings
        .iter()
        .map(|f| {
            vec![
                Cell::text(f.id.as_str()),
                Cell::text(format!("{}. {}", f.practice, f.practice_title)),
                Cell::text(f.title.to_string()),
                Cell::text(f.title.confidence_word()),
                Cell::text(f.tier.as_str()),
                Cell::text(if f.required {
                    "required"
                } else {
                    "going further"
                }),
                Cell::text(f.status_label.as_str()),
                f.score.map_or(Cell::Empty, Cell::Number),
                Cell::opt_text(&f.owner),
                Cell::opt_text(&f.note),
                Cell::text(f.evidence.join("\n")),
                Cell::opt_text(&f.justification),
                Cell::opt_date(f.status_since),
                Cell::opt_date(f.in_place_since),
                Cell::yes_no(f.in_place_12_months),
                f.gap_rank.map_or(Cell::Empty, |r| Cell::Number(r as f64)),
                Cell::yes_no(f.catalog_verified),
            ]
        })
        .collect()
}

fn plan_columns() -> Vec<Column> {
    vec![
        Column("State", 10.0),
        Column("Period", 10.0),
        Column("Start", 12.0),
        Column("Due", 12.0),
        Column("ID", 8.0),
        Column("Action", 40.0),
        Column("Name confidence", 12.0),
        Column("Owner role", 24.0),
        Column("Owner", 20.0),
        Column("Cost band", 9.0),
        Column("Effort band", 9.0),
        Column("Estimated cost", 12.0),
        Column("Staff-days", 9.0),
        Column("Prerequisites", 14.0),
        Column("Milestones", 60.0),
        Column("Gap rank", 8.0),
        Column("Why deferred", 50.0),
    ]
}

fn plan_rows(model: &ReportModel) -> Vec<Vec<Cell>> {
    let scheduled = model.plan.items().map(|item| {
        vec![
            Cell::text("scheduled"),
            Cell::text(item.period_label.as_str()),
            Cell::Date(item.start),
            Cell::Date(item.due),
            Cell::text(item.id.as_str()),
            Cell::text(item.title.to_string()),
            Cell::text(item.title.confidence_word()),
            Cell::text(item.owner_role.as_str()),
            Cell::opt_text(&item.owner),
            Cell::text(item.cost.as_str()),
            Cell::text(item.effort.as_str()),
            Cell::Dollars(item.estimated_cost),
            Cell::Number(f64::from(item.estimated_staff_days)),
            Cell::text(item.prerequisites.join(", ")),
            Cell::text(
                item.milestones
                    .iter()
                    .map(|m| format!("{}: {}", crate::model::iso_date(m.due), m.title))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            Cell::Number(item.gap_rank as f64),
            Cell::Empty,
        ]
    });
    let deferred = model.plan.deferred.iter().map(|d| {
        vec![
            Cell::text("deferred"),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::text(d.id.as_str()),
            Cell::text(d.title.to_string()),
            Cell::text(d.title.confidence_word()),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Dollars(d.estimated_cost),
            Cell::Number(f64::from(d.estimated_staff_days)),
            Cell::Empty,
            Cell::Empty,
            Cell::Number(d.gap_rank as f64),
            Cell::text(d.reason.as_str()),
        ]
    });
    scheduled.chain(deferred).collect()
}

fn evidence_columns() -> Vec<Column> {
    vec![
        Column("Practice", 9.0),
        Column("Metric", 36.0),
        Column("Measured", 50.0),
        Column("What is counted", 70.0),
        Column("Source", 40.0),
    ]
}

fn evidence_rows(model: &ReportModel) -> Vec<Vec<Cell>> {
    model
        .evidence
        .iter()
        .map(|metric| {
            vec![
                Cell::Number(f64::from(metric.practice)),
                Cell::text(metric.title.as_str()),
                Cell::text(metric.value.as_str()),
                Cell::text(metric.definition.as_str()),
                Cell::text(metric.source.as_str()),
            ]
        })
        .collect()
}

fn crosswalk_columns() -> Vec<Column> {
    vec![
        Column("ID", 8.0),
        Column("Sub-practice", 40.0),
        Column("Name confidence", 12.0),
        Column("NIST CSF 1.1 (published)", 24.0),
        Column("NIST CSF 2.0 (derived)", 24.0),
        Column("HPH CPG (inferred)", 16.0),
        Column("HIPAA Security Rule (derived)", 30.0),
    ]
}

fn crosswalk_rows(model: &ReportModel) -> Vec<Vec<Cell>> {
    model
        .crosswalk
        .iter()
        .map(|row| {
            vec![
                Cell::text(row.id.as_str()),
                Cell::text(row.title.to_string()),
                Cell::text(row.title.confidence_word()),
                Cell::text(row.csf11.join(", ")),
                Cell::text(row.csf2.join(", ")),
                Cell::text(row.cpg.join(", ")),
                Cell::text(row.hipaa.join(", ")),
            ]
        })
        .collect()
}
