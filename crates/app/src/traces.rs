//! Reading the trace log back (`partage traces export`).

use crate::{App, AppError};
use std::io::Write;

const PAGE: u32 = 5_000;

impl App {
    /// Writes every trace as one JSON object per line, in the order they were recorded. Returns the count.
    pub async fn export_traces(&self, out: &mut (dyn Write + Send)) -> Result<u64, AppError> {
        let mut after = 0;
        let mut count = 0;
        loop {
            let page = self.store.traces_after(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for stored in &page {
                let mut line = serde_json::json!({ "id": stored.id });
                if let (Some(obj), Ok(serde_json::Value::Object(fields))) =
                    (line.as_object_mut(), serde_json::to_value(&stored.trace))
                {
                    obj.extend(fields);
                }
                serde_json::to_writer(&mut *out, &line).map_err(|e| AppError::Interne(e.to_string()))?;
                out.write_all(b"\n")
                    .map_err(|e| AppError::Interne(e.to_string()))?;
                count += 1;
            }
        }
        Ok(count)
    }
}
