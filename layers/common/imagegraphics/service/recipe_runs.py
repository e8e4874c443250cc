"""An upload created with a recipe: once READY, its job is started through the submit route's path.

Exactly one job per upload, however often ingest sees it: the job id is claimed on the asset before
the job exists, so a retried notification reuses it (start_job then only re-sends its messages, which
the processor absorbs); `recipe_sent` ends the matter once the messages are out.
"""
from __future__ import annotations

from imagegraphics.errors import ImageGraphicsError, ServiceUnavailable
from imagegraphics.observability import following, logger
from imagegraphics.service.recipes import request_for
from imagegraphics.service.submit import start_job
from imagegraphics.stores.assets import READY, Asset
from imagegraphics.stores.jobs import JobStore
from imagegraphics.stores.recipe_jobs import RecipeJobStore
from imagegraphics.stores.recipes import RecipeStore


def describe_error(exc: ImageGraphicsError) -> str:
    details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors)
    return f"{exc.message} ({details})" if details else exc.message


def run_recipe(asset: Asset, upload_request: str | None = None) -> int | None:
    """Start the READY asset's recipe job unless started before; the job id, or None when none runs.

    The job, its messages and its webhook carry the id of the request that created the asset, or, for
    an asset that did not record one, `upload_request` (ingest's id for the upload): every log line
    from this start to the webhook shares it.
    """
    request = asset.request_id or upload_request
    with following(request):  # the lines below carry it as their correlation_id
        return _run(asset, "create-asset request" if asset.request_id else "upload" if request else None)


def _run(asset: Asset, request_of: str | None) -> int | None:
    if asset.status != READY or not asset.recipe or asset.recipe_error:
        return None
    if asset.recipe_sent:
        return asset.recipe_job_id
    store = RecipeJobStore.from_settings()
    recipe = RecipeStore.from_settings().find(asset.tenant, asset.recipe)
    if recipe is None:
        store.mark_error(asset.asset_id, f"recipe {asset.recipe} was deleted before the upload was READY")
        logger.warning("recipe gone; no job started", extra={"recipe": asset.recipe})
        return None
    job_id = asset.recipe_job_id or store.claim(asset.asset_id, JobStore.from_settings().next_job_id())
    try:
        start_job(asset.tenant, request_for(asset.asset_id, recipe.payload), job_id=job_id)
    except ServiceUnavailable:
        raise  # the notification is retried; the claimed id is reused
    except ImageGraphicsError as exc:
        # The recipe no longer fits (an image it draws was deleted): asking again cannot help.
        store.mark_error(asset.asset_id, describe_error(exc))
        logger.warning("recipe job refused", extra={"recipe": asset.recipe, "error": exc.message})
        return None
    store.mark_sent(asset.asset_id)
    logger.info("recipe job started", extra={"recipe": asset.recipe, "job_id": job_id, "correlation_from": request_of})
    return job_id
