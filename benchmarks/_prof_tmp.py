import os, sys, cProfile, pstats, django
os.environ['DJANGO_SETTINGS_MODULE']='estoque_project.settings'
django.setup()
from django.test import Client
from django.contrib.auth import get_user_model
u=get_user_model().objects.get(username="bench_paginas")
c=Client(); c.force_login(u)
url=sys.argv[1]
c.get(url)
pr=cProfile.Profile(); pr.enable()
for i in range(5): c.get(url)
pr.disable()
pstats.Stats(pr).sort_stats("cumulative").print_stats(35)
