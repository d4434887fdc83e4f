OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> assert len(history.history['loss']) == EPOCHS, len(history.history['loss'])\n",
                                       'failure_message': 'the history must have one loss per epoch: fit for `epochs` epochs',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 1}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
