"""The Microsoft Graph client: SharePoint sites, document libraries, folders and resumable uploads."""
