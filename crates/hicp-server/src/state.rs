//! What every request handler shares: the store, the catalog and the settings.

use std::sync::Arc;

use hicp_catalog::Catalog;
use hicp_store::Store;
use time::Date;

use crate::cache::{EvaluationCache, MarkedCache};
use crate::config::ServerConfig;
use crate::pages::dashboard::DashboardCache;
use crate::setup::SetupToken;
use crate::throttle::Throttle;

/// Cheap to clone: one `Arc` inside.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

struct Shared {
    store: Store,
    catalog: Catalog,
    config: ServerConfig,
    throttle: Throttle,
    setup_token: SetupToken,
    evaluations: EvaluationCache,
    dashboards: DashboardCache,
}

impl AppState {
    pub fn new(store: Store, catalog: Catalog, config: ServerConfig) -> AppState {
        let throttle = Throttle::new(config.throttle_failures, config.throttle_window);
        AppState {
            inner: Arc::new(Shared {
                store,
                catalog,
                config,
                throttle,
                setup_token: SetupToken::default(),
                evaluations: EvaluationCache::default(),
                dashboards: MarkedCache::default(),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    pub fn throttle(&self) -> &Throttle {
        &self.inner.throttle
    }

    pub fn setup_token(&self) -> &SetupToken {
        &self.inner.setup_token
    }

    pub(crate) fn evaluations(&self) -> &EvaluationCache {
        &self.inner.evaluations
    }

    /// Dashboards as built, kept like evaluations (the dashboard is the busiest page).
    pub(crate) fn dashboards(&self) -> &DashboardCache {
        &self.inner.dashboards
    }

    /// "Today" for evaluations and plans: the server's date in UTC.
    pub fn today(&self) -> Date {
        time::OffsetDateTime::now_utc().date()
    }
}
