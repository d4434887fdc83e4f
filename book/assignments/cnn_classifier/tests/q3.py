OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': ">>> assert history.history['accuracy'][-1] > 0.75\n",
                                       'failure_message': 'the network fits less than 75 % of its own training images: it will not do better on new ones',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 1}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
