"""The service's logic, one small function per handler: the functions/ handlers parse the event,
call one of these, and shape the response. Stores and the imaging engine do the rest."""
