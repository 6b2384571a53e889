//! Diesel table definitions, matching `migrations/`.

diesel::table! {
    tenants (id) {
        id -> Text,
        name -> Text,
        created_at -> BigInt,
        disabled -> Bool,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        tenant_id -> Text,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        disabled -> Bool,
        failed_logins -> Integer,
        locked_until -> Nullable<BigInt>,
        created_at -> BigInt,
        display_name -> Text,
        last_sign_in_at -> Nullable<BigInt>,
        sessions_after -> BigInt,
        deleted_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    usecases (id) {
        id -> Text,
        tenant_id -> Text,
        name -> Text,
        account_id -> Text,
        s3_bucket -> Text,
        cross_account_role_arn -> Nullable<Text>,
        external_id -> Text,
        data_account_id -> Nullable<Text>,
        data_account_role_arn -> Nullable<Text>,
        data_account_external_id -> Nullable<Text>,
        data_s3_bucket -> Nullable<Text>,
        data_s3_prefix -> Nullable<Text>,
        sagemaker_execution_role_arn -> Nullable<Text>,
        region -> Text,
        created_at -> BigInt,
        verified_at -> Nullable<BigInt>,
        verification -> Nullable<Text>,
    }
}

diesel::table! {
    grants (id) {
        id -> Text,
        user_id -> Text,
        usecase_id -> Text,
        bucket -> Text,
        prefix -> Text,
        can_list -> Bool,
        can_read -> Bool,
        can_write -> Bool,
        can_delete -> Bool,
        expires_at -> Nullable<BigInt>,
        created_at -> BigInt,
        created_by -> Nullable<Text>,
        updated_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    password_links (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        purpose -> Text,
        created_by -> Nullable<Text>,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    files (id) {
        id -> Text,
        tenant_id -> Text,
        usecase_id -> Text,
        owner_id -> Text,
        bucket -> Text,
        object_key -> Text,
        size -> BigInt,
        content_type -> Text,
        etag -> Text,
        status -> Text,
        created_at -> BigInt,
        checksum -> Nullable<Text>,
    }
}

diesel::table! {
    uploads (id) {
        id -> Text,
        tenant_id -> Text,
        usecase_id -> Text,
        owner_id -> Text,
        bucket -> Text,
        requested_key -> Text,
        object_key -> Text,
        s3_upload_id -> Text,
        size -> BigInt,
        part_size -> BigInt,
        content_type -> Text,
        file_modified -> BigInt,
        status -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        at -> BigInt,
        tenant_id -> Nullable<Text>,
        user_id -> Nullable<Text>,
        user_email -> Nullable<Text>,
        action -> Text,
        usecase_id -> Nullable<Text>,
        bucket -> Nullable<Text>,
        object_key -> Nullable<Text>,
        client_ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        outcome -> Text,
        detail -> Text,
        prev_hash -> Text,
        hash -> Text,
        credential -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        data -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    usecase_buckets (usecase_id, bucket) {
        usecase_id -> Text,
        bucket -> Text,
        origin -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    tenant_buckets (tenant_id, pattern) {
        tenant_id -> Text,
        pattern -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    portal_keys (name) {
        name -> Text,
        value -> Text,
        created_at -> BigInt,
    }
}

diesel::joinable!(users -> tenants (tenant_id));
diesel::joinable!(usecases -> tenants (tenant_id));
diesel::joinable!(grants -> users (user_id));
diesel::joinable!(grants -> usecases (usecase_id));
diesel::joinable!(uploads -> usecases (usecase_id));
diesel::joinable!(files -> users (owner_id));
diesel::joinable!(files -> usecases (usecase_id));
diesel::table! {
    access_tokens (id) {
        id -> Text,
        tenant_id -> Text,
        user_id -> Text,
        name -> Text,
        token_hash -> Text,
        read_only -> Bool,
        created_at -> BigInt,
        expires_at -> BigInt,
        last_used_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    s3_credentials (access_key) {
        access_key -> Text,
        token_hash -> Text,
        tenant_id -> Text,
        user_id -> Text,
        usecase_id -> Text,
        bucket -> Text,
        prefix -> Text,
        can_list -> Bool,
        can_read -> Bool,
        can_write -> Bool,
        can_delete -> Bool,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    share_links (id) {
        id -> Text,
        token_hash -> Text,
        tenant_id -> Text,
        owner_id -> Text,
        usecase_id -> Text,
        bucket -> Text,
        path -> Text,
        password_hash -> Nullable<Text>,
        max_downloads -> Nullable<BigInt>,
        downloads -> BigInt,
        created_at -> BigInt,
        expires_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
        upload_only -> Bool,
    }
}

diesel::joinable!(password_links -> users (user_id));
diesel::joinable!(share_links -> users (owner_id));
diesel::joinable!(access_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    job_leases,
    tenants,
    users,
    usecases,
    grants,
    files,
    uploads,
    audit_events,
    sessions,
    usecase_buckets,
    tenant_buckets,
    portal_keys,
    password_links,
    access_tokens,
    s3_credentials,
    share_links
);

diesel::table! {
    job_leases (name) {
        name -> Text,
        holder -> Text,
        expires_at -> BigInt,
    }
}
