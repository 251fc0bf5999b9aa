//! What diagnose reads about an S3 destination.

use serde::{Deserialize, Serialize};

use crate::aws::{AccountClients, AwsError};
use crate::dest::kms::{self, KeyFacts};
use crate::diagnose::Fact;

/// A Block Public Access configuration (bucket or account level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// From the four optional flags S3 and S3 Control return (unset = off).
    fn from_flags(acls: Option<bool>, ignore: Option<bool>, policy: Option<bool>, restrict: Option<bool>) -> Self {
        PublicAccessBlock {
            block_public_acls: acls.unwrap_or(false),
            ignore_public_acls: ignore.unwrap_or(false),
            block_public_policy: policy.unwrap_or(false),
            restrict_public_buckets: restrict.unwrap_or(false),
        }
    }
}

/// Default encryption of the bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketEncryption {
    /// AES256, aws:kms or aws:kms:dsse.
    pub algorithm: String,
    pub kms_key_id: Option<String>,
}

impl kms::EncryptedBy for BucketEncryption {
    fn kms_key_id(&self) -> Option<&str> {
        self.kms_key_id.as_deref()
    }
}

/// Facts about one bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct S3Facts {
    pub bucket: String,
    /// False when the bucket does not exist.
    pub exists: Fact<bool>,
    /// The bucket's region (GetBucketLocation).
    pub region: Fact<String>,
    /// `None` inside: no bucket policy.
    pub policy: Fact<Option<String>>,
    /// `None` inside: no bucket-level configuration.
    pub public_access_block: Fact<Option<PublicAccessBlock>>,
    /// Account-level Block Public Access of the bucket's account.
    pub account_public_access_block: Fact<Option<PublicAccessBlock>>,
    /// BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter.
    pub object_ownership: Fact<String>,
    pub encryption: Fact<Option<BucketEncryption>>,
    pub key: Option<Fact<KeyFacts>>,
}

/// Reads the bucket's policy, Block Public Access (bucket and account),
/// S3's and S3 Control's PublicAccessBlockConfiguration are two SDK types
/// with the same four flags.
macro_rules! public_access_block {
    ($c:expr) => {
        PublicAccessBlock::from_flags(
            $c.block_public_acls(),
            $c.ignore_public_acls(),
            $c.block_public_policy(),
            $c.restrict_public_buckets(),
        )
    };
}

/// ownership, encryption and region, all at once.
pub async fn gather(clients: &AccountClients, bucket: &str, account_id: Option<&str>) -> S3Facts {
    let s3 = clients.s3();
    let (head, location, policy, pab, ownership, encryption, account_pab) = tokio::join!(
        s3.head_bucket().bucket(bucket).send(),
        s3.get_bucket_location().bucket(bucket).send(),
        s3.get_bucket_policy().bucket(bucket).send(),
        s3.get_public_access_block().bucket(bucket).send(),
        s3.get_bucket_ownership_controls().bucket(bucket).send(),
        s3.get_bucket_encryption().bucket(bucket).send(),
        account_block(clients, account_id),
    );
    let exists = match head {
        Ok(_) => Fact::Known(true),
        Err(e) => {
            let e = AwsError::from_sdk("s3", "HeadBucket", e);
            if e.is_not_found() {
                Fact::Known(false)
            } else {
                Fact::from_error(&e)
            }
        }
    };
    let region = match location {
        Ok(o) => Fact::Known(
            o.location_constraint()
                .map(|l| l.as_str().to_string())
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| "us-east-1".to_string()),
        ),
        Err(e) => Fact::from_error(&AwsError::from_sdk("s3", "GetBucketLocation", e)),
    };
    let policy = match policy {
        Ok(o) => Fact::Known(o.policy().map(str::to_string)),
        Err(e) => absent_is_none(AwsError::from_sdk("s3", "GetBucketPolicy", e), "NoSuchBucketPolicy"),
    };
    let public_access_block = match pab {
        Ok(o) => Fact::Known(o.public_access_block_configuration().map(|c| public_access_block!(c))),
        Err(e) => absent_is_none(
            AwsError::from_sdk("s3", "GetPublicAccessBlock", e),
            "NoSuchPublicAccessBlockConfiguration",
        ),
    };
    let object_ownership = match ownership {
        Ok(o) => Fact::Known(
            o.ownership_controls()
                .and_then(|c| c.rules().first())
                .map(|r| r.object_ownership().as_str().to_string())
                .unwrap_or_else(|| "BucketOwnerEnforced".to_string()),
        ),
        Err(e) => {
            let e = AwsError::from_sdk("s3", "GetBucketOwnershipControls", e);
            // Unset ownership controls mean the pre-2023 default, ObjectWriter.
            if e.code() == Some("OwnershipControlsNotFoundError") {
                Fact::Known("ObjectWriter".to_string())
            } else {
                Fact::from_error(&e)
            }
        }
    };
    let encryption = match encryption {
        Ok(o) => Fact::Known(
            o.server_side_encryption_configuration()
                .and_then(|c| c.rules().first())
                .and_then(|r| r.apply_server_side_encryption_by_default())
                .map(|d| BucketEncryption {
                    algorithm: d.sse_algorithm().as_str().to_string(),
                    kms_key_id: d.kms_master_key_id().map(str::to_string),
                }),
        ),
        Err(e) => absent_is_none(
            AwsError::from_sdk("s3", "GetBucketEncryption", e),
            "ServerSideEncryptionConfigurationNotFoundError",
        ),
    };
    let key = kms::gather_for(clients, &encryption).await;
    S3Facts {
        bucket: bucket.to_string(),
        exists,
        region,
        policy,
        public_access_block,
        account_public_access_block: account_pab,
        object_ownership,
        encryption,
        key,
    }
}

fn absent_is_none<T>(e: AwsError, absent_code: &str) -> Fact<Option<T>> {
    if e.code() == Some(absent_code) {
        Fact::Known(None)
    } else {
        Fact::from_error(&e)
    }
}

async fn account_block(clients: &AccountClients, account_id: Option<&str>) -> Fact<Option<PublicAccessBlock>> {
    let Some(id) = account_id else {
        return Fact::unknown_because("the bucket's account id is unknown");
    };
    match clients
        .s3control()
        .get_public_access_block()
        .account_id(id)
        .send()
        .await
    {
        Ok(o) => Fact::Known(o.public_access_block_configuration().map(|c| public_access_block!(c))),
        Err(e) => absent_is_none(
            AwsError::from_sdk("s3control", "GetPublicAccessBlock", e),
            "NoSuchPublicAccessBlockConfiguration",
        ),
    }
}
