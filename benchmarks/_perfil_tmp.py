import os, sys, time, django
os.environ['DJANGO_SETTINGS_MODULE']='estoque_project.settings'
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.contrib.auth import get_user_model
u=get_user_model().objects.get(username="bench_paginas")
c=Client(); c.force_login(u)
url=sys.argv[1]
for i in range(3):
    c.get(url)
for i in range(2):
    with CaptureQueriesContext(connection) as q:
        t=time.perf_counter(); r=c.get(url); tt=time.perf_counter()-t
    print(f"total {tt*1000:.0f} ms, db {sum(float(x['time']) for x in q.captured_queries)*1000:.0f} ms")
for x in q.captured_queries:
    print(f"{float(x['time'])*1000:7.1f}  {x['sql'][:220]}")
