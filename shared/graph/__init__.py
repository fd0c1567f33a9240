"""The Microsoft Graph client: SharePoint sites, document libraries, folders, resumable uploads, file versions,
library columns and list item fields."""
