"""No tables: the roles are Django groups (acesso/papeis.py). The module exists so Django sends
this app the post_migrate signal (it skips apps without one), which re-applies the roles."""
