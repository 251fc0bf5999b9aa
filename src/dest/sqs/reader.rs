//! Reading a queue for one probe. A message is ours only if it carries a
//! probe id this process created; every other message is made visible again
//! at once (ChangeMessageVisibility 0) and never deleted.

use std::time::{Duration, Instant};

use aws_sdk_sqs::types::{ChangeMessageVisibilityBatchRequestEntry, Message, MessageSystemAttributeName};

use crate::aws::AwsError;
use crate::probe::{find_tag, now_ms, Arrival, ProbeLedger};

/// SQS's longest long poll.
const MAX_WAIT: Duration = Duration::from_secs(20);
/// Backoff between receives that returned only other consumers' messages,
/// so a busy queue is not hammered (and their receive counts not raised)
/// in a tight loop.
const FOREIGN_BACKOFF_MIN: Duration = Duration::from_millis(100);
const FOREIGN_BACKOFF_MAX: Duration = Duration::from_secs(2);

/// What reading cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// ReceiveMessage calls made.
    pub receives: u32,
    /// Other calls (delete, visibility) made.
    pub other_calls: u32,
    /// Messages that were not ours, seen and made visible again.
    pub foreign_seen: u32,
}

/// Reads one queue for probes.
pub struct QueueReader<'a> {
    pub client: &'a aws_sdk_sqs::Client,
    pub queue_url: &'a str,
    pub ledger: &'a ProbeLedger,
}

impl QueueReader<'_> {
    /// Polls until the probe `id` arrives or `deadline` passes.
    pub async fn wait_for(
        &self,
        id: &str,
        deadline: Instant,
        stats: &mut ReadStats,
    ) -> Result<Option<Arrival>, AwsError> {
        let mut backoff = FOREIGN_BACKOFF_MIN;
        loop {
            if let Some(a) = self.ledger.arrival(id) {
                return Ok(Some(a));
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Ok(None);
            }
            // Round up: a long poll of the last partial second, not a burst
            // of short polls (at most one second past the deadline).
            let wait = remaining.min(MAX_WAIT).as_secs_f64().ceil() as u64;
            let batch = self.receive(wait, stats).await?;
            let mut foreign = Vec::new();
            let mut ours = 0;
            for m in batch {
                if self.take_if_ours(&m, stats).await? {
                    ours += 1;
                } else {
                    foreign.push(m);
                }
            }
            if !foreign.is_empty() {
                stats.foreign_seen += u32::try_from(foreign.len()).unwrap_or(u32::MAX);
                self.release(&foreign, stats).await?;
                if ours == 0 && self.ledger.arrival(id).is_none() {
                    let pause = backoff.min(deadline.saturating_duration_since(Instant::now()));
                    tokio::time::sleep(pause).await;
                    backoff = (backoff * 2).min(FOREIGN_BACKOFF_MAX);
                }
            }
        }
    }

    async fn receive(&self, wait_secs: u64, stats: &mut ReadStats) -> Result<Vec<Message>, AwsError> {
        stats.receives += 1;
        let out = self
            .client
            .receive_message()
            .queue_url(self.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(i32::try_from(wait_secs).unwrap_or(20))
            .message_system_attribute_names(MessageSystemAttributeName::SentTimestamp)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("sqs", "ReceiveMessage", e))?;
        Ok(out.messages.unwrap_or_default())
    }

    /// Deletes the message if this process created the probe in it, and
    /// leaves its arrival in the ledger.
    async fn take_if_ours(&self, m: &Message, stats: &mut ReadStats) -> Result<bool, AwsError> {
        let Some(found) = m.body().and_then(find_tag) else {
            return Ok(false);
        };
        if !self.ledger.created(&found.tag.id) {
            return Ok(false);
        }
        let stamped_ms = m
            .attributes()
            .and_then(|a| a.get(&MessageSystemAttributeName::SentTimestamp))
            .and_then(|s| s.parse::<i64>().ok());
        let arrival = Arrival {
            stamped_ms,
            seen_ms: now_ms(),
            shape: found.shape,
        };
        if let Some(handle) = m.receipt_handle() {
            stats.other_calls += 1;
            self.client
                .delete_message()
                .queue_url(self.queue_url)
                .receipt_handle(handle)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("sqs", "DeleteMessage", e))?;
        }
        self.ledger.deliver(&found.tag.id, arrival);
        Ok(true)
    }

    /// Makes other consumers' messages visible again at once.
    async fn release(&self, msgs: &[Message], stats: &mut ReadStats) -> Result<(), AwsError> {
        let entries: Vec<_> = msgs
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(m.receipt_handle()?)
                    .visibility_timeout(0)
                    .build()
                    .ok()
            })
            .collect();
        if entries.is_empty() {
            return Ok(());
        }
        stats.other_calls += 1;
        self.client
            .change_message_visibility_batch()
            .queue_url(self.queue_url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("sqs", "ChangeMessageVisibilityBatch", e))?;
        Ok(())
    }
}
