"""Clio documents into SharePoint: where each file goes (plan), moving the bytes (mover), the Dataverse document
locations that link folders to records (locations), and when downloads may spend the Clio budget (off_peak)."""
