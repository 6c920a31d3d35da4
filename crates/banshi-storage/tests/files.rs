//! The database files hold personal data: readable by their owner only (0600), the backup too.
//! Before, a new database was created world-readable (0644 under the usual umask).

#[cfg(unix)]
#[tokio::test]
async fn a_new_database_its_log_and_its_backup_are_the_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("banshi.db");
    let url = path.display().to_string();
    let store = banshi_storage::connect(&url).await.unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    let wal = folder.path().join("banshi.db-wal");
    if wal.exists() {
        assert_eq!(mode(&wal), 0o600);
    }
    let backup = folder.path().join("backup.db");
    banshi_storage::backup_sqlite(&path, &backup).unwrap();
    assert_eq!(mode(&backup), 0o600);
    drop(store);
    // An existing file left readable by others is narrowed when opened.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let _again = banshi_storage::connect(&url).await.unwrap();
    assert_eq!(mode(&path), 0o600);
}
