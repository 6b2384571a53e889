//! The `S3` implementation: s3s-fs for objects, plus stored bucket settings
//! and the portal's own listing.

use super::complete::Completions;
use super::settings::{self, BucketSettings, not_configured};
use super::versions::Versions;
use super::{listing, parts};
use s3s::dto::*;
use s3s::{S3, S3Request, S3Response, S3Result, s3_error};
use s3s_fs::FileSystem;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Objects on disk and settings beside them.
#[derive(Debug)]
pub struct EmbeddedStore {
    pub(super) fs: FileSystem,
    pub(super) root: PathBuf,
    parts_dir: PathBuf,
    settings: Arc<BucketSettings>,
    completions: Arc<Completions>,
    pub(super) versions: Arc<Versions>,
}

impl EmbeddedStore {
    /// A store with objects under `root`; `complete_delay` slows every
    /// multipart completion down (for tests of slow completions).
    pub fn new(root: &Path, settings: Arc<BucketSettings>, complete_delay: Duration) -> anyhow::Result<Self> {
        let fs = FileSystem::new(root).map_err(|e| anyhow::anyhow!("cannot open the object store: {e:?}"))?;
        let root = root.canonicalize()?;
        let parts_dir = root.parent().unwrap_or(&root).join("s3-parts");
        std::fs::create_dir_all(&parts_dir)?;
        let versions = Arc::new(Versions::new(root.clone(), settings.clone()));
        let completions = Arc::new(Completions::new(root.clone(), parts_dir.clone(), complete_delay, versions.clone()));
        Ok(Self { fs, root, parts_dir, settings, completions, versions })
    }

    fn require_bucket(&self, bucket: &str) -> S3Result<()> {
        if self.root.join(bucket).is_dir() { Ok(()) } else { Err(s3_error!(NoSuchBucket)) }
    }
}

/// Generates the `S3` impl: plain delegations to s3s-fs, then the methods
/// written here. (`async_trait` must see the expanded methods, so the whole
/// impl comes out of the macro.)
macro_rules! embedded_s3 {
    (delegate { $($op:ident: $input:ident => $output:ident,)* } own { $($own:item)* }) => {
        #[async_trait::async_trait]
        impl S3 for EmbeddedStore {
            $(
                async fn $op(&self, req: S3Request<$input>) -> S3Result<S3Response<$output>> {
                    self.fs.$op(req).await
                }
            )*
            $($own)*
        }
    };
}

embedded_s3! {
    delegate {
        head_bucket: HeadBucketInput => HeadBucketOutput,
        list_buckets: ListBucketsInput => ListBucketsOutput,
        get_bucket_location: GetBucketLocationInput => GetBucketLocationOutput,
        create_multipart_upload: CreateMultipartUploadInput => CreateMultipartUploadOutput,
    }
    own {
        async fn get_object(&self, req: S3Request<GetObjectInput>) -> S3Result<S3Response<GetObjectOutput>> {
            self.get_versioned(req).await
        }

        async fn head_object(&self, req: S3Request<HeadObjectInput>) -> S3Result<S3Response<HeadObjectOutput>> {
            self.head_versioned(req).await
        }

        async fn put_object(&self, req: S3Request<PutObjectInput>) -> S3Result<S3Response<PutObjectOutput>> {
            self.put_versioned(req).await
        }

        async fn copy_object(&self, req: S3Request<CopyObjectInput>) -> S3Result<S3Response<CopyObjectOutput>> {
            self.copy_versioned(req).await
        }

        async fn upload_part_copy(&self, req: S3Request<UploadPartCopyInput>) -> S3Result<S3Response<UploadPartCopyOutput>> {
            self.part_copy_versioned(req).await
        }

        async fn delete_object(&self, req: S3Request<DeleteObjectInput>) -> S3Result<S3Response<DeleteObjectOutput>> {
            self.delete_versioned(req).await
        }

        async fn delete_objects(&self, req: S3Request<DeleteObjectsInput>) -> S3Result<S3Response<DeleteObjectsOutput>> {
            self.delete_many_versioned(req).await
        }

        async fn list_object_versions(
            &self,
            req: S3Request<ListObjectVersionsInput>,
        ) -> S3Result<S3Response<ListObjectVersionsOutput>> {
            self.require_bucket(&req.input.bucket)?;
            self.list_versions(req).await
        }

        async fn upload_part(&self, mut req: S3Request<UploadPartInput>) -> S3Result<S3Response<UploadPartOutput>> {
            let mismatch = parts::verify_body(&mut req.input);
            let checksum = req.input.checksum_crc32c.clone();
            let (upload_id, number) = (req.input.upload_id.clone(), req.input.part_number);
            match self.fs.upload_part(req).await {
                Ok(mut out) => {
                    if let Some(etag) = &out.output.e_tag {
                        parts::remember(&self.parts_dir, &upload_id, number, etag, checksum.clone()).await;
                    }
                    out.output.checksum_crc32c = checksum;
                    Ok(out)
                }
                Err(_) if mismatch.happened() => Err(parts::bad_digest()),
                Err(e) => Err(e),
            }
        }

        async fn complete_multipart_upload(
            &self,
            req: S3Request<CompleteMultipartUploadInput>,
        ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
            self.require_bucket(&req.input.bucket)?;
            let access_key = req.credentials.map(|c| c.access_key);
            Ok(S3Response::new(self.completions.start(req.input, access_key).await?))
        }

        async fn abort_multipart_upload(
            &self,
            req: S3Request<AbortMultipartUploadInput>,
        ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
            let upload_id = req.input.upload_id.clone();
            let out = self.fs.abort_multipart_upload(req).await?;
            parts::forget(&self.parts_dir, &upload_id).await;
            Ok(out)
        }

        async fn list_parts(&self, req: S3Request<ListPartsInput>) -> S3Result<S3Response<ListPartsOutput>> {
            self.require_bucket(&req.input.bucket)?;
            Ok(S3Response::new(parts::list(&self.root, &self.parts_dir, req.input).await?))
        }

        async fn create_bucket(&self, req: S3Request<CreateBucketInput>) -> S3Result<S3Response<CreateBucketOutput>> {
            // The endpoint has one owner (its key), so an existing bucket is always the caller's.
            if self.root.join(&req.input.bucket).is_dir() {
                return Err(s3_error!(BucketAlreadyOwnedByYou));
            }
            self.fs.create_bucket(req).await
        }

        async fn delete_bucket(&self, req: S3Request<DeleteBucketInput>) -> S3Result<S3Response<DeleteBucketOutput>> {
            let bucket = req.input.bucket.clone();
            let out = self.fs.delete_bucket(req).await?;
            self.versions.forget_bucket(&bucket).await;
            self.settings.forget_bucket(&bucket).await;
            Ok(out)
        }

        async fn list_objects_v2(&self, req: S3Request<ListObjectsV2Input>) -> S3Result<S3Response<ListObjectsV2Output>> {
            self.require_bucket(&req.input.bucket)?;
            Ok(S3Response::new(listing::list_v2(&self.root, req.input).await?))
        }

        async fn list_objects(&self, req: S3Request<ListObjectsInput>) -> S3Result<S3Response<ListObjectsOutput>> {
            let v1 = req.input;
            self.require_bucket(&v1.bucket)?;
            let v2 = ListObjectsV2Input {
                bucket: v1.bucket,
                delimiter: v1.delimiter,
                encoding_type: v1.encoding_type,
                max_keys: v1.max_keys,
                prefix: v1.prefix,
                start_after: v1.marker.clone(),
                ..Default::default()
            };
            let out = listing::list_v2(&self.root, v2).await?;
            Ok(S3Response::new(ListObjectsOutput {
                contents: out.contents,
                common_prefixes: out.common_prefixes,
                delimiter: out.delimiter,
                encoding_type: out.encoding_type,
                name: out.name,
                prefix: out.prefix,
                max_keys: out.max_keys,
                is_truncated: out.is_truncated,
                marker: v1.marker,
                next_marker: out.next_continuation_token,
                ..Default::default()
            }))
        }

        async fn put_bucket_cors(&self, req: S3Request<PutBucketCorsInput>) -> S3Result<S3Response<PutBucketCorsOutput>> {
            let input = req.input;
            self.require_bucket(&input.bucket)?;
            self.settings.put_xml(&input.bucket, settings::CORS, &input.cors_configuration).await?;
            Ok(S3Response::new(PutBucketCorsOutput::default()))
        }

        async fn get_bucket_cors(&self, req: S3Request<GetBucketCorsInput>) -> S3Result<S3Response<GetBucketCorsOutput>> {
            self.require_bucket(&req.input.bucket)?;
            let cors: CORSConfiguration = self
                .settings
                .get_xml(&req.input.bucket, settings::CORS)
                .await?
                .ok_or_else(|| not_configured("NoSuchCORSConfiguration", "CORS configuration"))?;
            Ok(S3Response::new(GetBucketCorsOutput { cors_rules: Some(cors.cors_rules) }))
        }

        async fn delete_bucket_cors(&self, req: S3Request<DeleteBucketCorsInput>) -> S3Result<S3Response<DeleteBucketCorsOutput>> {
            self.require_bucket(&req.input.bucket)?;
            self.settings.delete(&req.input.bucket, settings::CORS).await?;
            Ok(S3Response::new(DeleteBucketCorsOutput::default()))
        }

        async fn put_bucket_versioning(&self, req: S3Request<PutBucketVersioningInput>) -> S3Result<S3Response<PutBucketVersioningOutput>> {
            let input = req.input;
            self.require_bucket(&input.bucket)?;
            self.settings.put_xml(&input.bucket, settings::VERSIONING, &input.versioning_configuration).await?;
            self.versions.forget_setting(&input.bucket);
            Ok(S3Response::new(PutBucketVersioningOutput::default()))
        }

        async fn get_bucket_versioning(&self, req: S3Request<GetBucketVersioningInput>) -> S3Result<S3Response<GetBucketVersioningOutput>> {
            self.require_bucket(&req.input.bucket)?;
            let stored: Option<VersioningConfiguration> = self.settings.get_xml(&req.input.bucket, settings::VERSIONING).await?;
            // A bucket that was never versioned answers with an empty status, as S3 does.
            let out = stored
                .map(|v| GetBucketVersioningOutput { status: v.status, ..Default::default() })
                .unwrap_or_default();
            Ok(S3Response::new(out))
        }

        async fn put_bucket_encryption(&self, req: S3Request<PutBucketEncryptionInput>) -> S3Result<S3Response<PutBucketEncryptionOutput>> {
            let input = req.input;
            self.require_bucket(&input.bucket)?;
            self.settings.put_xml(&input.bucket, settings::ENCRYPTION, &input.server_side_encryption_configuration).await?;
            Ok(S3Response::new(PutBucketEncryptionOutput::default()))
        }

        async fn get_bucket_encryption(&self, req: S3Request<GetBucketEncryptionInput>) -> S3Result<S3Response<GetBucketEncryptionOutput>> {
            self.require_bucket(&req.input.bucket)?;
            let stored: ServerSideEncryptionConfiguration = self
                .settings
                .get_xml(&req.input.bucket, settings::ENCRYPTION)
                .await?
                .ok_or_else(|| not_configured("ServerSideEncryptionConfigurationNotFoundError", "default encryption"))?;
            Ok(S3Response::new(GetBucketEncryptionOutput { server_side_encryption_configuration: Some(stored) }))
        }

        async fn delete_bucket_encryption(&self, req: S3Request<DeleteBucketEncryptionInput>) -> S3Result<S3Response<DeleteBucketEncryptionOutput>> {
            self.require_bucket(&req.input.bucket)?;
            self.settings.delete(&req.input.bucket, settings::ENCRYPTION).await?;
            Ok(S3Response::new(DeleteBucketEncryptionOutput::default()))
        }

        async fn put_bucket_policy(&self, req: S3Request<PutBucketPolicyInput>) -> S3Result<S3Response<PutBucketPolicyOutput>> {
            let input = req.input;
            self.require_bucket(&input.bucket)?;
            if serde_json::from_str::<serde_json::Value>(&input.policy).is_err() {
                return Err(s3_error!(MalformedPolicy, "The policy is not valid JSON"));
            }
            self.settings.put_raw(&input.bucket, settings::POLICY, input.policy.as_bytes()).await?;
            Ok(S3Response::new(PutBucketPolicyOutput::default()))
        }

        async fn get_bucket_policy(&self, req: S3Request<GetBucketPolicyInput>) -> S3Result<S3Response<GetBucketPolicyOutput>> {
            self.require_bucket(&req.input.bucket)?;
            let bytes = self
                .settings
                .get_raw(&req.input.bucket, settings::POLICY)
                .await?
                .ok_or_else(|| not_configured("NoSuchBucketPolicy", "bucket policy"))?;
            let policy = String::from_utf8(bytes).map_err(|_| s3_error!(InternalError))?;
            Ok(S3Response::new(GetBucketPolicyOutput { policy: Some(policy) }))
        }

        async fn delete_bucket_policy(&self, req: S3Request<DeleteBucketPolicyInput>) -> S3Result<S3Response<DeleteBucketPolicyOutput>> {
            self.require_bucket(&req.input.bucket)?;
            self.settings.delete(&req.input.bucket, settings::POLICY).await?;
            Ok(S3Response::new(DeleteBucketPolicyOutput::default()))
        }

        async fn put_bucket_lifecycle_configuration(
            &self,
            req: S3Request<PutBucketLifecycleConfigurationInput>,
        ) -> S3Result<S3Response<PutBucketLifecycleConfigurationOutput>> {
            let input = req.input;
            self.require_bucket(&input.bucket)?;
            let config = input.lifecycle_configuration.ok_or_else(|| s3_error!(MalformedXML, "A lifecycle configuration is required"))?;
            self.settings.put_xml(&input.bucket, settings::LIFECYCLE, &config).await?;
            Ok(S3Response::new(PutBucketLifecycleConfigurationOutput::default()))
        }

        async fn get_bucket_lifecycle_configuration(
            &self,
            req: S3Request<GetBucketLifecycleConfigurationInput>,
        ) -> S3Result<S3Response<GetBucketLifecycleConfigurationOutput>> {
            self.require_bucket(&req.input.bucket)?;
            let stored: BucketLifecycleConfiguration = self
                .settings
                .get_xml(&req.input.bucket, settings::LIFECYCLE)
                .await?
                .ok_or_else(|| not_configured("NoSuchLifecycleConfiguration", "lifecycle configuration"))?;
            Ok(S3Response::new(GetBucketLifecycleConfigurationOutput { rules: Some(stored.rules), ..Default::default() }))
        }

        async fn delete_bucket_lifecycle(&self, req: S3Request<DeleteBucketLifecycleInput>) -> S3Result<S3Response<DeleteBucketLifecycleOutput>> {
            self.require_bucket(&req.input.bucket)?;
            self.settings.delete(&req.input.bucket, settings::LIFECYCLE).await?;
            Ok(S3Response::new(DeleteBucketLifecycleOutput::default()))
        }

        async fn put_public_access_block(&self, req: S3Request<PutPublicAccessBlockInput>) -> S3Result<S3Response<PutPublicAccessBlockOutput>> {
            let input = req.input;
            self.require_bucket(&input.bucket)?;
            self.settings
                .put_xml(&input.bucket, settings::PUBLIC_ACCESS_BLOCK, &input.public_access_block_configuration)
                .await?;
            Ok(S3Response::new(PutPublicAccessBlockOutput::default()))
        }

        async fn get_public_access_block(&self, req: S3Request<GetPublicAccessBlockInput>) -> S3Result<S3Response<GetPublicAccessBlockOutput>> {
            self.require_bucket(&req.input.bucket)?;
            let stored: PublicAccessBlockConfiguration = self
                .settings
                .get_xml(&req.input.bucket, settings::PUBLIC_ACCESS_BLOCK)
                .await?
                .ok_or_else(|| not_configured("NoSuchPublicAccessBlockConfiguration", "public access block"))?;
            Ok(S3Response::new(GetPublicAccessBlockOutput { public_access_block_configuration: Some(stored) }))
        }
    }
}
