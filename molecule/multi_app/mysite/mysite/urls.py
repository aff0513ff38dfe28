"""
URL configuration for mysite project.

The `urlpatterns` list routes URLs to views. For more information please see:
    https://docs.djangoproject.com/en/5.2/topics/http/urls/
Examples:
Function views
    1. Add an import:  from my_app import views
    2. Add a URL to urlpatterns:  path('', views.home, name='home')
Class-based views
    1. Add an import:  from other_app.views import Home
    2. Add a URL to urlpatterns:  path('', Home.as_view(), name='home')
Including another URLconf
    1. Import the include() function: from django.urls import include, path
    2. Add a URL to urlpatterns:  path('blog/', include('blog.urls'))
"""
import os

from django.contrib import admin
from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from redis import Redis
from rq import Queue

from mysite import jobs


def healthz(request):
    # Healthy only when the database answers.
    with connection.cursor() as cursor:
        cursor.execute('SELECT 1')
    return JsonResponse({'status': 'ok'})


@csrf_exempt
@require_POST
def enqueue(request):
    # A job for the worker: it records the release the worker runs, not the one that queued it.
    job = Queue(connection=Redis.from_url(os.environ.get('MYSITE_REDIS', 'redis://127.0.0.1:6379/0'))).enqueue(
        jobs.record, 'jobs.log', request.POST['text'], request.POST.get('seconds', 0))
    return JsonResponse({'job': job.id, 'release': jobs.RELEASE})


urlpatterns = [
    path('admin/', admin.site.urls),
    path('healthz', healthz),
    path('enqueue', enqueue),
]
