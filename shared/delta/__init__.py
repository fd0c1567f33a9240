"""Delta pickup after cutover (issue 8): while a migration's delta window is open, each timer tick extracts what
changed in Clio since the last extraction started (less an overlap), maps it with the full extraction's reference
data and loads it through the same loader and write ledger as the full run; records Clio deleted (webhook events,
and at the window's end an id sweep for what webhooks missed) are deactivated or deleted in Dataverse, each write
in the ledger with its before-image. Closing the window produces the delta certificate."""
