"""Rolling a migration back to the state before it, from the write ledger: rows we created are deleted, rows that
existed before get their before-image back, files and folders we put in SharePoint are removed and, when asked, the
schema we provisioned; rows a person edited since our write are listed and kept unless forced."""
