//! The object operations that versions change: writes keep the object they
//! replace, deletes leave a marker, and reads, copies and deletes may name
//! a version. Buckets that keep no versions go straight to s3s-fs.

use super::store::EmbeddedStore;
use super::version_listing;
use super::versions::{ARCHIVE, Keep, Located, Write};
use s3s::dto::*;
use s3s::{S3, S3Request, S3Response, S3Result, s3_error};

/// A copy's source as s3s-fs reads it, and the version id it names.
type Source = (CopySource, Option<String>);

fn archived(key: String) -> CopySource {
    CopySource::Bucket { bucket: ARCHIVE.into(), key: key.into(), version_id: None }
}

impl EmbeddedStore {
    /// Where version `version` of `key` is read from: the bucket and key
    /// s3s-fs knows it by, and its version id; `None` for a bucket that
    /// keeps no versions, asked for no version.
    async fn read_target(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
    ) -> S3Result<Option<(String, String, Option<String>)>> {
        if version.is_none() && !self.versions.enabled(bucket).await {
            return Ok(None);
        }
        Ok(Some(match self.versions.locate(bucket, key, version).await? {
            Located::Current(id) => (bucket.to_owned(), key.to_owned(), id),
            Located::Archived(archive_key, id) => (ARCHIVE.to_owned(), archive_key, Some(id)),
        }))
    }

    /// A copy's source: the current object, or an older version in the
    /// hidden store, or the destination's own object that `write` just kept.
    async fn copy_source(&self, source: CopySource, write: Option<&Write>, dest: (&str, &str)) -> S3Result<Source> {
        let CopySource::Bucket { bucket, key, version_id } = source else {
            return Err(s3_error!(NotImplemented, "Only bucket sources are supported."));
        };
        let kept =
            write.filter(|_| (&*bucket, &*key) == dest).and_then(|w| Some((w.kept()?.to_owned(), w.kept_key()?)));
        if let Some((id, kept_key)) = kept
            && version_id.as_deref().is_none_or(|v| *v == id)
        {
            return Ok((archived(kept_key), Some(id)));
        }
        match self.read_target(&bucket, &key, version_id.as_deref()).await? {
            None => Ok((CopySource::Bucket { bucket, key, version_id: None }, None)),
            Some((b, k, id)) => Ok((CopySource::Bucket { bucket: b.into(), key: k.into(), version_id: None }, id)),
        }
    }

    /// PutObject, keeping the object it replaces.
    pub(super) async fn put_versioned(&self, req: S3Request<PutObjectInput>) -> S3Result<S3Response<PutObjectOutput>> {
        let write = self.versions.begin_write(&req.input.bucket, &req.input.key, Keep::Link).await?;
        let out = self.fs.put_object(req).await;
        let Some(write) = write else { return out };
        let id = write.finish(out.is_ok(), None).await?;
        out.map(|mut o| {
            o.output.version_id = id;
            o
        })
    }

    /// CopyObject from any version, keeping the object it replaces.
    pub(super) async fn copy_versioned(
        &self,
        mut req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        let (bucket, key) = (req.input.bucket.clone(), req.input.key.clone());
        // s3s-fs copies into the destination's own file, so the old one is moved away, not linked.
        let write = self.versions.begin_write(&bucket, &key, Keep::Move).await?;
        let source = self.copy_source(req.input.copy_source.clone(), write.as_ref(), (&bucket, &key)).await;
        let (source, source_version) = match source {
            Ok(s) => s,
            Err(e) => {
                if let Some(w) = write {
                    w.finish(false, None).await?;
                }
                return Err(e);
            }
        };
        req.input.copy_source = source;
        let out = self.fs.copy_object(req).await;
        let id = match write {
            Some(w) => w.finish(out.is_ok(), None).await?,
            None => None,
        };
        out.map(|mut o| {
            o.output.version_id = id;
            o.output.copy_source_version_id = source_version;
            o
        })
    }

    /// UploadPartCopy from any version.
    pub(super) async fn part_copy_versioned(
        &self,
        mut req: S3Request<UploadPartCopyInput>,
    ) -> S3Result<S3Response<UploadPartCopyOutput>> {
        let dest = (req.input.bucket.clone(), req.input.key.clone());
        let (source, version) = self.copy_source(req.input.copy_source.clone(), None, (&dest.0, &dest.1)).await?;
        req.input.copy_source = source;
        let mut out = self.fs.upload_part_copy(req).await?;
        out.output.copy_source_version_id = version;
        Ok(out)
    }

    /// GetObject of the latest or of a named version.
    pub(super) async fn get_versioned(
        &self,
        mut req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        let version = req.input.version_id.take();
        let Some((bucket, key, id)) = self.read_target(&req.input.bucket, &req.input.key, version.as_deref()).await?
        else {
            return self.fs.get_object(req).await;
        };
        (req.input.bucket, req.input.key) = (bucket, key);
        let mut out = self.fs.get_object(req).await?;
        out.output.version_id = id;
        Ok(out)
    }

    /// HeadObject of the latest or of a named version.
    pub(super) async fn head_versioned(
        &self,
        mut req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        let version = req.input.version_id.take();
        let Some((bucket, key, id)) = self.read_target(&req.input.bucket, &req.input.key, version.as_deref()).await?
        else {
            return self.fs.head_object(req).await;
        };
        (req.input.bucket, req.input.key) = (bucket, key);
        let mut out = self.fs.head_object(req).await?;
        out.output.version_id = id;
        Ok(out)
    }

    /// DeleteObject: a delete marker, or one version removed.
    pub(super) async fn delete_versioned(
        &self,
        mut req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        let version = req.input.version_id.take();
        match self.versions.delete(&req.input.bucket, &req.input.key, version.as_deref()).await? {
            None => self.fs.delete_object(req).await,
            Some((id, marker)) => Ok(S3Response::new(DeleteObjectOutput {
                version_id: Some(id),
                delete_marker: marker.then_some(true),
                ..Default::default()
            })),
        }
    }

    /// DeleteObjects, each key as DeleteObject would delete it.
    pub(super) async fn delete_many_versioned(
        &self,
        mut req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        let bucket = req.input.bucket.clone();
        let quiet = req.input.delete.quiet.unwrap_or(false);
        let (mut deleted, mut errors, mut plain) = (Vec::new(), Vec::new(), Vec::new());
        for object in std::mem::take(&mut req.input.delete.objects) {
            match self.versions.delete(&bucket, &object.key, object.version_id.as_deref()).await {
                Ok(None) => plain.push(object),
                Ok(Some((id, marker))) => deleted.push(DeletedObject {
                    key: Some(object.key),
                    version_id: object.version_id,
                    delete_marker: marker.then_some(true),
                    delete_marker_version_id: marker.then_some(id),
                }),
                Err(e) => errors.push(Error {
                    key: Some(object.key),
                    version_id: object.version_id,
                    code: Some(e.code().as_str().to_owned()),
                    message: e.message().map(str::to_owned),
                }),
            }
        }
        if !plain.is_empty() {
            req.input.delete.objects = plain;
            let out = self.fs.delete_objects(req).await?.output;
            deleted.extend(out.deleted.unwrap_or_default());
            errors.extend(out.errors.unwrap_or_default());
        }
        Ok(S3Response::new(DeleteObjectsOutput {
            deleted: (!quiet && !deleted.is_empty()).then_some(deleted),
            errors: (!errors.is_empty()).then_some(errors),
            ..Default::default()
        }))
    }

    /// ListObjectVersions.
    pub(super) async fn list_versions(
        &self,
        req: S3Request<ListObjectVersionsInput>,
    ) -> S3Result<S3Response<ListObjectVersionsOutput>> {
        Ok(S3Response::new(version_listing::list(&self.root, &self.versions, req.input).await?))
    }
}
