//! Metric observations an organization records over time (e.g. phishing click rate).

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::Store;
use crate::actor::Actor;
use crate::audit::{Audited, Change};
use crate::db::fetch_all;
use crate::error::{StoreError, StoreResult};
use crate::records::MetricObservationRecord;
use crate::rows::{MetricObservationRow, metric_observation_columns};

const SERIES: &str = concat!(
    "SELECT ",
    metric_observation_columns!(),
    " FROM metric_observations WHERE organization_id = $1 AND metric = $2 ORDER BY observed_on, id"
);

/// A measurement to record, e.g. the share of staff who passed phishing training.
#[derive(Debug, Clone)]
pub struct NewMetric<'a> {
    pub organization_id: Uuid,
    pub metric: &'a str,
    pub value: f64,
    pub unit: Option<&'a str>,
    pub observed_on: Date,
    pub source: Option<&'a str>,
}

/// The row for a new observation, refusing a value no database can keep.
pub(crate) fn metric_row(
    metric: &NewMetric<'_>,
    now: OffsetDateTime,
    import_id: Option<Uuid>,
) -> StoreResult<MetricObservationRow> {
    if !metric.value.is_finite() {
        return Err(StoreError::Invalid(format!(
            "metric `{}`: {} is not a number that can be stored",
            metric.metric, metric.value
        )));
    }
    if metric.metric.trim().is_empty() {
        return Err(StoreError::Invalid("a metric needs a name".to_string()));
    }
    Ok(MetricObservationRow {
        id: Uuid::now_v7(),
        organization_id: metric.organization_id,
        metric: metric.metric.to_string(),
        value: metric.value,
        unit: metric.unit.map(str::to_string),
        observed_on: metric.observed_on,
        source: metric.source.map(str::to_string),
        created_at: now,
        import_id,
    })
}

impl Store {
    pub async fn record_metric(
        &self,
        actor: &Actor,
        metric: NewMetric<'_>,
    ) -> StoreResult<MetricObservationRecord> {
        self.write(actor, async |tx, now| {
            let row = metric_row(&metric, now, None)?;
            row.insert(tx).await?;
            let record = row.into_record();
            let change = Change::new("metric.recorded", "metric_observation", record.id)
                .organization(record.organization_id)
                .after(&record)?;
            Ok(Audited::new(record, change))
        })
        .await
    }

    /// An organization's observations of one metric, oldest first.
    pub async fn metric_observations(
        &self,
        organization_id: Uuid,
        metric: &str,
    ) -> StoreResult<Vec<MetricObservationRecord>> {
        let rows = self
            .read(async |tx| {
                Ok(fetch_all!(
                    tx,
                    MetricObservationRow,
                    SERIES,
                    organization_id,
                    metric
                )?)
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(MetricObservationRow::into_record)
            .collect())
    }
}
