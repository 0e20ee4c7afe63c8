//! `tamis purge`: applies the retention periods to the blob store (shared/src/retention.rs).

use tamis_shared::blob::BlobStore;
use tamis_shared::config::Config;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// `--as-of`: an RFC 3339 time.
pub fn parse_time(s: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|_| "expected an RFC 3339 time such as 2027-01-31T00:00:00Z".into())
}

/// Lists, plans and (unless `dry_run`) deletes; prints one summary line of counts (keys are
/// not printed: the seen index's name a case, hashed, and counts are what an operator checks).
pub async fn purge_command(config: &Config, dry_run: bool, as_of: Option<OffsetDateTime>) -> anyhow::Result<()> {
    let blobs = BlobStore::open(&config.blob.url)?;
    let now = as_of.unwrap_or_else(OffsetDateTime::now_utc);
    let r = &config.retention;
    let report = tamis_shared::retention::purge(&blobs, r.periods(), now, dry_run)
        .await
        .map_err(|e| anyhow::anyhow!("purge stopped: {e}; run it again (it resumes where it stopped)"))?;
    let p = &report.plan;
    let seen: usize = p.blobs.iter().map(|(_, s)| s.len()).sum();
    let verb = if dry_run { "would delete" } else { "deleted" };
    println!(
        "{verb}: {} document files ({} seen-index entries), {} API records, the records of {} documents; kept: {} files of documents \
         without a final outcome, {} within {} days, {} named by no outcome record, {} submitted again during the purge \
         (as of {}, documents {} days, audit {} days)",
        p.blobs.len() - report.resubmitted,
        seen,
        p.api_records.len(),
        p.records.len(),
        p.kept_not_final,
        p.kept_recent,
        r.documents_days,
        p.kept_unknown,
        report.resubmitted,
        now.format(&Rfc3339).unwrap_or_default(),
        r.documents_days,
        r.audit_days,
    );
    tracing::info!(
        dry_run,
        document_files = p.blobs.len() - report.resubmitted,
        record_documents = p.records.len(),
        kept_not_final = p.kept_not_final,
        kept_recent = p.kept_recent,
        kept_unknown = p.kept_unknown,
        "purge done"
    );
    Ok(())
}
