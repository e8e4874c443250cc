"""The recipe job of an upload, kept on the asset's record: claimed once, so a redelivered upload
notification starts no second job (recipe_job_id, then recipe_sent, or recipe_error)."""
from __future__ import annotations

from imagegraphics.stores import aws
from imagegraphics.stores.assets import _key


class RecipeJobStore(aws.TableStore):
    def claim(self, asset_id: str, job_id: int) -> int:
        """Bind `job_id` to the asset's recipe unless a job was bound before; returns the bound id."""
        answer = self.dynamodb.update_item(
            TableName=self.table_name, Key=_key(asset_id),
            UpdateExpression="SET recipe_job_id = if_not_exists(recipe_job_id, :job)",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":job": {"N": str(job_id)}}, ReturnValues="ALL_NEW")
        return int(answer["Attributes"]["recipe_job_id"]["N"])

    def mark_sent(self, asset_id: str) -> None:
        self.dynamodb.update_item(TableName=self.table_name, Key=_key(asset_id),
                                  UpdateExpression="SET recipe_sent = :yes REMOVE recipe_error",
                                  ExpressionAttributeValues={":yes": {"BOOL": True}})

    def mark_error(self, asset_id: str, error: str) -> None:
        self.dynamodb.update_item(TableName=self.table_name, Key=_key(asset_id),
                                  UpdateExpression="SET recipe_error = :error",
                                  ExpressionAttributeValues={":error": {"S": error}})
